/// A `MSG` or `HMSG` the server delivered: ranges into the parsed bytes.
package struct NATSMessage: Sendable, Hashable {
    /// The subject it was published on.
    package var subject: Range<Int>
    /// The subscription id it is delivered for.
    package var sid: UInt64
    /// The reply subject, when the publisher gave one.
    package var replyTo: Range<Int>?
    /// The header block (`NATS/1.0\r\n…\r\n\r\n`) of an `HMSG`; `nil` for a `MSG`.
    package var headers: Range<Int>?
    /// The payload.
    package var payload: Range<Int>
}
