@_spi(Fuzzing) import MyceliumKit

private let parser = NATSParser(maxMessageBytes: 1 << 16)

/// One input: what a NATS server might send, read the way the uplink reads it, as a stream
/// cut at every length from its first byte (1-255 bytes per read: an operation that does not
/// end in the bytes read so far waits for more). Every operation must span bytes that were
/// there, and every range it names must lie inside them; malformed input is an error, never
/// a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNATS(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let step = max(1, Int(data[0]))
    let stream = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    var consumed = 0
    var available = min(step, stream.count)
    while consumed < stream.count {
        let unread = UnsafeRawBufferPointer(rebasing: stream[consumed..<available])
        let parsed: (operation: NATSOperation, byteCount: Int)?
        do {
            parsed = try parser.next(in: unread)
        } catch {
            return 0
        }
        guard let parsed else {
            if available == stream.count { return 0 }
            available = min(available + step, stream.count)
            continue
        }
        precondition(
            parsed.byteCount > 0 && parsed.byteCount <= unread.count, "spans \(parsed.byteCount) of \(unread.count) bytes")
        check(parsed.operation, within: parsed.byteCount)
        consumed += parsed.byteCount
        available = max(available, consumed)
    }
    return 0
}

private func check(_ operation: NATSOperation, within count: Int) {
    func inside(_ range: Range<Int>?) {
        guard let range else { return }
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range \(range) outside \(count) bytes")
    }
    switch operation {
    case .info(let range), .error(let range): inside(range)
    case .message(let message):
        inside(message.subject)
        inside(message.replyTo)
        inside(message.headers)
        inside(message.payload)
    case .ping, .pong, .ok: break
    }
}
