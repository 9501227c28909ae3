/// A `MSG` or `HMSG` the server delivered: ranges into the parsed bytes.
@_spi(Fuzzing) public struct NATSMessage: Sendable, Hashable {
    /// The subject it was published on.
    public var subject: Range<Int>
    /// The subscription id it is delivered for.
    public var sid: UInt64
    /// The reply subject, when the publisher gave one.
    public var replyTo: Range<Int>?
    /// The header block (`NATS/1.0\r\n…\r\n\r\n`) of an `HMSG`; `nil` for a `MSG`.
    public var headers: Range<Int>?
    /// The payload.
    public var payload: Range<Int>
}
