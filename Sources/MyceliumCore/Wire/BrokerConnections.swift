#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A broker's open connections, one ``Connection`` each, as the CONNECTIONS frame (type 10)
/// carries them in its JSON document (``jsonDocument()``).
///
/// ```swift
/// let listing = try await client.connections()
/// for connection in listing.connections where connection.pendingBytes > 1 << 20 {
///     print("#\(connection.id) \(connection.name ?? "-") is \(connection.pendingBytes) bytes behind")
/// }
/// ```
public struct BrokerConnections: Sendable, Hashable, Codable {
    /// One connection, as its loop saw it when the request reached it.
    public struct Connection: Sendable, Hashable, Codable {
        /// The broker's number for it (`#7` in log lines), unique while the broker runs.
        public var id: Int
        /// The peer name its HELLO gave; `nil` when it sent none.
        public var name: String?
        /// The peer's address: `127.0.0.1:51234`, `[::1]:51234`, or `unix`.
        public var peer: String
        /// `tcp` or `unix`.
        public var transport: String
        /// Seconds since the broker accepted it.
        public var ageSeconds: Double
        /// Seconds since it last read from or wrote to the socket.
        public var idleSeconds: Double
        /// The data type ids it subscribes to, in the order it subscribed.
        public var subscriptions: [UInt16]
        /// Data frames it published (accepted for routing).
        public var messagesIn: Int
        /// Bytes read from its socket, control frames included.
        public var bytesIn: Int
        /// Data frames queued for it as a subscriber.
        public var messagesOut: Int
        /// Bytes written to its socket, control frames included.
        public var bytesOut: Int
        /// Bytes queued for it and not yet written.
        public var pendingBytes: Int
        /// Frames it lost: dropped oldest, or no memory to queue them.
        public var dropped: Int

        /// Creates an entry.
        public init(
            id: Int, name: String?, peer: String, transport: String, ageSeconds: Double, idleSeconds: Double,
            subscriptions: [UInt16], messagesIn: Int, bytesIn: Int, messagesOut: Int, bytesOut: Int, pendingBytes: Int,
            dropped: Int
        ) {
            self.id = id
            self.name = name
            self.peer = peer
            self.transport = transport
            self.ageSeconds = ageSeconds
            self.idleSeconds = idleSeconds
            self.subscriptions = subscriptions
            self.messagesIn = messagesIn
            self.bytesIn = bytesIn
            self.messagesOut = messagesOut
            self.bytesOut = bytesOut
            self.pendingBytes = pendingBytes
            self.dropped = dropped
        }

        enum CodingKeys: String, CodingKey {
            case id, name, peer, transport, subscriptions, dropped
            case ageSeconds = "age_seconds"
            case idleSeconds = "idle_seconds"
            case messagesIn = "messages_in"
            case bytesIn = "bytes_in"
            case messagesOut = "messages_out"
            case bytesOut = "bytes_out"
            case pendingBytes = "pending_bytes"
        }
    }

    /// The connections, by ``Connection/id``.
    public var connections: [Connection]

    /// Creates a listing.
    public init(connections: [Connection]) {
        self.connections = connections
    }

    /// The CONNECTIONS document: `{"connections":[{"id":3,"name":"feed","peer":"unix",
    /// "transport":"unix","age_seconds":12.5,"idle_seconds":0.01,"subscriptions":[1101],
    /// "messages_in":0,"bytes_in":48,"messages_out":9000,"bytes_out":312000,
    /// "pending_bytes":0,"dropped":0}]}`; a connection without HELLO has no `name`.
    public func jsonDocument() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding plain numbers, strings and arrays cannot fail.
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{\"connections\":[]}"
    }

    /// Reads a CONNECTIONS document; keys it does not know are ignored.
    ///
    /// - Throws: the `DecodingError` that names the key that is missing or malformed.
    public init(jsonDocument json: String) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(json.utf8))
    }
}
