import ContractStore
import MyceliumKit

/// `serve --uplink URL [--uplink-types A,B] [--uplink-prefix P] [--uplink-buffer SIZE]
/// [--uplink-probe-interval DURATION]` as an ``UplinkConfiguration``, with each type's layout
/// digest from the catalog.
enum UplinkOptions {
    /// The uplink for these settings, or `nil` when no server is given.
    ///
    /// - Throws: ``UserError`` for a URL that is not a NATS URL, a type the catalog does
    ///   not have, or other settings without a server.
    static func configuration(
        servers: [String], types: [String]?, prefix: String?, buffer: Int?, probeInterval: Duration?, catalog: Catalog
    ) throws(UserError) -> UplinkConfiguration? {
        guard !servers.isEmpty else {
            if types != nil || prefix != nil || buffer != nil || probeInterval != nil {
                throw UserError(
                    text:
                        "--uplink-types, --uplink-prefix, --uplink-buffer and --uplink-probe-interval need a NATS server: add --uplink nats://HOST:PORT"
                )
            }
            return nil
        }
        var uplink = UplinkConfiguration(
            servers: try servers.map { (text) throws(UserError) in
                do {
                    return try NATSURL(parsing: text)
                } catch {
                    throw UserError(text: "--uplink \(error)")
                }
            })
        let messages: [MessageContract]
        do {
            messages = try catalog.messages()
        } catch {
            throw UserError(text: "\(error)")
        }
        if let types {
            let known = Set(messages.map(\.name))
            if let unknown = types.first(where: { !known.contains($0) }) {
                throw UserError(
                    text:
                        "--uplink-types: '\(unknown)' is not a message in the catalog; known: \(messages.map(\.name).sorted().joined(separator: ", "))"
                )
            }
            uplink.types = types
        }
        if let prefix { uplink.prefix = prefix }
        if let buffer { uplink.bufferBytes = buffer }
        // 0 turns probing off: every frame is sent.
        if let probeInterval { uplink.probeInterval = probeInterval > .zero ? probeInterval : nil }
        uplink.layoutDigests = Dictionary(
            messages.map { ($0.name, ContractDigest.digest(of: [$0])) }, uniquingKeysWith: { first, _ in first })
        return uplink
    }
}
