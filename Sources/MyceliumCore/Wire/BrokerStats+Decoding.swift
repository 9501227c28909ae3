#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension BrokerStats {
    /// Reads a STATS document (``jsonDocument()``'s format); keys it does not know are
    /// ignored, a class of size 0 is the requests served above every class, and a missing
    /// `auth_refusals` (a broker that predates access control) reads as 0.
    ///
    /// ```swift
    /// let stats = try BrokerStats(jsonDocument: text)   // e.g. `mycelium stats --json`
    /// ```
    ///
    /// - Throws: the `DecodingError` that names the key that is missing or malformed.
    public init(jsonDocument json: String) throws {
        let document = try JSONDecoder().decode(Document.self, from: Data(json.utf8))
        let classes = document.pool.classes.map {
            PoolClassStats(
                size: $0.size, capacity: $0.capacity, inUse: $0.in_use, highWater: $0.high_water, acquires: $0.acquires,
                returns: $0.returns, allocations: $0.allocations, hits: $0.hits, misses: $0.misses,
                bytesReserved: $0.bytes_reserved)
        }
        self.init(
            pool: PoolStats(
                name: document.pool.name, classes: classes.filter { $0.size > 0 },
                unclassified: classes.first { $0.size == 0 } ?? PoolClassStats(size: 0, capacity: 0)),
            connections: document.connections, messagesIn: document.messages_in, messagesOut: document.messages_out,
            slowConsumers: document.slow_consumers, dropped: document.dropped, authRefusals: document.auth_refusals ?? 0,
            uplink: document.uplink.map {
                UplinkStats(
                    state: $0.state, server: $0.server, messagesOut: $0.messages_out, messagesIn: $0.messages_in,
                    dropped: $0.dropped, rejected: $0.rejected, reconnects: $0.reconnects, unwanted: $0.unwanted ?? 0)
            })
    }

    // Field names follow the document's keys.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    private struct Document: Decodable {
        struct Pool: Decodable {
            let name: String
            let classes: [Class]
        }

        struct Class: Decodable {
            let size: Int
            let capacity: Int
            let in_use: Int
            let high_water: Int
            let acquires: Int
            let returns: Int
            let allocations: Int
            let hits: Int
            let misses: Int
            let bytes_reserved: Int
        }

        let pool: Pool
        let connections: Int
        let messages_in: Int
        let messages_out: Int
        let slow_consumers: Int
        let dropped: Int
        let auth_refusals: Int?
        let uplink: Uplink?

        struct Uplink: Decodable {
            let state: String
            let server: String
            let messages_out: Int
            let messages_in: Int
            let dropped: Int
            let rejected: Int
            let reconnects: Int
            let unwanted: Int?
        }
    }
}
