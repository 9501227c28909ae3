/// Why an uplink setting could not be read, or why the NATS protocol went wrong: a
/// ``description`` that names what was wrong, where, and what to do.
///
/// ```swift
/// do { _ = try NATSURL(parsing: "tls://nats.example:4222") }
/// catch { print(error) }   // "'tls://nats.example:4222': TLS is not supported by the uplink; …"
/// ```
public struct UplinkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong and what to do.
    public let description: String

    /// Creates an error with its full message.
    package init(_ description: String) {
        self.description = description
    }
}
