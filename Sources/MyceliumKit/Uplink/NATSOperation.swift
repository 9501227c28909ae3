/// One operation a NATS server sends, as ranges into the bytes ``NATSParser`` read: nothing
/// is copied.
@_spi(Fuzzing) public enum NATSOperation: Sendable, Hashable {
    /// `INFO {json}`: the range of the JSON text.
    case info(Range<Int>)
    /// `MSG` or `HMSG`: a message on a subscription.
    case message(NATSMessage)
    /// `PING`: the server checks that the client is alive; answer `PONG`.
    case ping
    /// `PONG`: the answer to the client's `PING`.
    case pong
    /// `+OK`: an acknowledgement (only in verbose mode).
    case ok
    /// `-ERR 'text'`: the range of the text, without its quotes.
    case error(Range<Int>)
}
