/// Reads the operations a NATS server sends (`INFO`, `MSG`, `HMSG`, `PING`, `PONG`, `+OK`,
/// `-ERR`) from bytes: a pure function of its input, with no I/O and no allocation, so it
/// can be fuzzed alone. Public to the `Fuzzing` SPI only (`@_spi(Fuzzing) import MyceliumKit`):
/// the fuzz package's targets reach it there; it is not part of the kit's API.
///
/// Feed it the unread bytes; it returns the first complete operation and how many bytes it
/// took, or `nil` when more bytes are needed. Operation names are case-insensitive, as the
/// protocol says; arguments are separated by spaces or tabs; every line ends with CRLF.
///
/// ```swift
/// let parser = NATSParser(maxMessageBytes: 1 << 20)
/// let text = Array("MSG mycelium.Trade 1 5\r\nhello\r\n".utf8)
/// let parsed = try text.withUnsafeBytes { try parser.next(in: $0) }
/// // parsed?.operation == .message(…payload: 24..<29), parsed?.byteCount == 31
/// ```
@_spi(Fuzzing) public struct NATSParser: Sendable {
    /// The longest control line accepted (NATS's own default limit), CRLF excluded.
    public static let maxControlLine = 4096
    /// The largest message (headers plus payload) accepted, in bytes.
    public let maxMessageBytes: Int

    /// Creates a parser that refuses messages above `maxMessageBytes`.
    public init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// The first complete operation in `bytes` and the bytes it spans, or `nil` when
    /// `bytes` ends before it does.
    ///
    /// - Throws: ``UplinkError`` for malformed input: an unknown operation, a control line
    ///   above ``maxControlLine`` or not ended by CRLF, a missing or non-numeric argument,
    ///   a message above ``maxMessageBytes``, or a payload not followed by CRLF.
    public func next(in bytes: UnsafeRawBufferPointer) throws(UplinkError) -> (operation: NATSOperation, byteCount: Int)? {
        guard let lineEnd = try Self.lineEnd(in: bytes) else { return nil }
        let afterLine = lineEnd + 2
        var cursor = 0
        guard let name = Self.token(in: bytes, from: &cursor, end: lineEnd) else {
            throw UplinkError("the NATS server sent an empty line")
        }
        switch Self.keyword(bytes, name) {
        case Self.ping: return (.ping, afterLine)
        case Self.pong: return (.pong, afterLine)
        case Self.ok: return (.ok, afterLine)
        case Self.info: return (.info(Self.trimmed(bytes, cursor..<lineEnd)), afterLine)
        case Self.err:
            var text = Self.trimmed(bytes, cursor..<lineEnd)
            if text.count >= 2 && bytes[text.lowerBound] == UInt8(ascii: "'") && bytes[text.upperBound - 1] == UInt8(ascii: "'") {
                text = text.lowerBound + 1..<text.upperBound - 1
            }
            return (.error(text), afterLine)
        case Self.msg, Self.hmsg:
            return try message(in: bytes, cursor: cursor, lineEnd: lineEnd, hasHeaders: Self.keyword(bytes, name) == Self.hmsg)
        default:
            throw UplinkError(
                "the NATS server sent an unknown operation '\(Self.printable(bytes, name))'; expected INFO, MSG, HMSG, PING, PONG, +OK or -ERR"
            )
        }
    }

    /// `MSG <subject> <sid> [reply-to] <#bytes>` or
    /// `HMSG <subject> <sid> [reply-to] <#header bytes> <#total bytes>`, then the bytes and CRLF.
    private func message(in bytes: UnsafeRawBufferPointer, cursor start: Int, lineEnd: Int, hasHeaders: Bool) throws(UplinkError)
        -> (operation: NATSOperation, byteCount: Int)?
    {
        let operation = hasHeaders ? "HMSG" : "MSG"
        var cursor = start
        var arguments = (0..<0, 0..<0, 0..<0, 0..<0, 0..<0)
        var count = 0
        while let token = Self.token(in: bytes, from: &cursor, end: lineEnd) {
            switch count {
            case 0: arguments.0 = token
            case 1: arguments.1 = token
            case 2: arguments.2 = token
            case 3: arguments.3 = token
            case 4: arguments.4 = token
            default: throw UplinkError("the NATS server sent \(operation) with more than 5 arguments")
            }
            count += 1
        }
        let expected = hasHeaders ? 4 : 3
        guard count == expected || count == expected + 1 else {
            throw UplinkError(
                "the NATS server sent \(operation) with \(count) arguments; expected \(expected) or \(expected + 1)")
        }
        let hasReply = count == expected + 1
        let sizes = hasReply ? (arguments.3, arguments.4) : (arguments.2, arguments.3)
        let sid = try Self.number(bytes, arguments.1, what: "\(operation) subscription id")
        let total = try Self.number(bytes, hasHeaders ? sizes.1 : sizes.0, what: "\(operation) size")
        let headerBytes = hasHeaders ? try Self.number(bytes, sizes.0, what: "HMSG header size") : 0
        guard headerBytes <= total else {
            throw UplinkError("the NATS server sent HMSG with \(headerBytes) header bytes in a message of \(total)")
        }
        guard total <= maxMessageBytes else {
            throw UplinkError(
                "the NATS server sent a message of \(total) bytes, above the \(maxMessageBytes) this uplink accepts")
        }
        let bodyStart = lineEnd + 2
        let bodyEnd = bodyStart + Int(total)
        guard bytes.count >= bodyEnd + 2 else { return nil }
        guard bytes[bodyEnd] == 13 && bytes[bodyEnd + 1] == 10 else {
            throw UplinkError("the NATS server sent \(operation) whose \(total) bytes are not followed by CRLF")
        }
        let headerEnd = bodyStart + Int(headerBytes)
        let message = NATSMessage(
            subject: arguments.0, sid: sid, replyTo: hasReply ? arguments.2 : nil,
            headers: hasHeaders ? bodyStart..<headerEnd : nil, payload: headerEnd..<bodyEnd)
        return (.message(message), bodyEnd + 2)
    }

    // MARK: Lexing

    /// The offset of the CRLF that ends the first line, or `nil` when it has not arrived.
    private static func lineEnd(in bytes: UnsafeRawBufferPointer) throws(UplinkError) -> Int? {
        let limit = min(bytes.count, maxControlLine + 2)
        var index = 0
        while index < limit {
            if bytes[index] == 10 {
                guard index > 0 && bytes[index - 1] == 13 else {
                    throw UplinkError("the NATS server sent a line ended by LF alone; the protocol ends lines with CRLF")
                }
                return index - 1
            }
            index += 1
        }
        if bytes.count > maxControlLine + 1 {
            throw UplinkError("the NATS server sent a control line longer than \(maxControlLine) bytes")
        }
        return nil
    }

    /// The next space- or tab-separated token before `end`, advancing `cursor` past it.
    private static func token(in bytes: UnsafeRawBufferPointer, from cursor: inout Int, end: Int) -> Range<Int>? {
        while cursor < end && isBlank(bytes[cursor]) { cursor += 1 }
        guard cursor < end else { return nil }
        let start = cursor
        while cursor < end && !isBlank(bytes[cursor]) { cursor += 1 }
        return start..<cursor
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper && isBlank(bytes[lower]) { lower += 1 }
        while upper > lower && isBlank(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// A decimal argument of at most 15 digits.
    private static func number(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, what: String) throws(UplinkError) -> UInt64 {
        guard !range.isEmpty, range.count <= 15 else {
            throw UplinkError("the NATS server sent a \(what) of \(range.count) digits; expected 1 to 15")
        }
        var value: UInt64 = 0
        for index in range {
            let digit = bytes[index] &- 48
            guard digit < 10 else {
                throw UplinkError("the NATS server sent a \(what) '\(printable(bytes, range))' that is not a number")
            }
            value = value * 10 + UInt64(digit)
        }
        return value
    }

    // Operation names packed big-endian, upper case, into a word.
    private static let ping: UInt64 = 0x5049_4E47
    private static let pong: UInt64 = 0x504F_4E47
    private static let ok: UInt64 = 0x2B_4F4B
    private static let info: UInt64 = 0x494E_464F
    private static let err: UInt64 = 0x2D45_5252
    private static let msg: UInt64 = 0x4D_5347
    private static let hmsg: UInt64 = 0x484D_5347

    /// A token of up to 4 bytes, upper-cased and packed; 0 for a longer one.
    private static func keyword(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt64 {
        guard range.count <= 4 else { return 0 }
        var value: UInt64 = 0
        for index in range {
            var byte = bytes[index]
            if byte >= 97 && byte <= 122 { byte -= 32 }
            value = value << 8 | UInt64(byte)
        }
        return value
    }

    /// At most 32 bytes of `range` as text for an error message.
    package static func printable(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        let shown = range.lowerBound..<min(range.upperBound, range.lowerBound + 32)
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[shown]), as: UTF8.self)
            + (shown.count < range.count ? "…" : "")
    }
}
