@_spi(Fuzzing) import MyceliumKit
import Testing

@Suite struct NATSParserTests {
    private let parser = NATSParser(maxMessageBytes: 1024)

    /// Every operation in `text`, with the bytes each spans, parsed one after the other.
    private func parseAll(_ text: [UInt8]) throws -> [(NATSOperation, Int)] {
        try text.withUnsafeBytes { bytes in
            var results: [(NATSOperation, Int)] = []
            var offset = 0
            while let parsed = try parser.next(in: UnsafeRawBufferPointer(rebasing: bytes[offset...])) {
                results.append((Self.shifted(parsed.operation, by: offset), parsed.byteCount))
                offset += parsed.byteCount
            }
            #expect(offset == text.count, "bytes left over: \(text.count - offset)")
            return results
        }
    }

    private static func shifted(_ operation: NATSOperation, by offset: Int) -> NATSOperation {
        func move(_ range: Range<Int>) -> Range<Int> { range.lowerBound + offset..<range.upperBound + offset }
        switch operation {
        case .info(let range): return .info(move(range))
        case .error(let range): return .error(move(range))
        case .message(var message):
            message.subject = move(message.subject)
            message.replyTo = message.replyTo.map(move)
            message.headers = message.headers.map(move)
            message.payload = move(message.payload)
            return .message(message)
        default: return operation
        }
    }

    private func text(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    private func error(_ text: String) -> String {
        do {
            _ = try Array(text.utf8).withUnsafeBytes { try parser.next(in: $0) }
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func readsEveryOperation() throws {
        let input = Array(
            "INFO {\"max_payload\":1048576}\r\nPING\r\npong\r\n+OK\r\n-ERR 'Unknown Protocol Operation'\r\nMSG a.b 7 5\r\nhello\r\nMSG a.b 7 reply.to 0\r\n\r\nHMSG a.b 9 12 15\r\nNATS/1.0\r\n\r\nxyz\r\n"
                .utf8)
        let operations = try parseAll(input)
        #expect(operations.count == 8)
        #expect(operations[0].0 == .info(5..<28) && text(input, 5..<28) == "{\"max_payload\":1048576}")
        #expect(operations[1].0 == .ping && operations[2].0 == .pong && operations[3].0 == .ok)
        guard case .error(let error) = operations[4].0, case .message(let message) = operations[5].0,
            case .message(let empty) = operations[6].0, case .message(let headed) = operations[7].0
        else {
            Issue.record("operations of the wrong kinds: \(operations)")
            return
        }
        #expect(text(input, error) == "Unknown Protocol Operation")
        #expect(text(input, message.subject) == "a.b" && message.sid == 7 && message.headers == nil)
        #expect(text(input, message.payload) == "hello" && message.replyTo == nil)
        #expect(empty.payload.isEmpty && empty.replyTo.map { text(input, $0) } == "reply.to")
        #expect(headed.sid == 9 && headed.headers.map { text(input, $0) } == "NATS/1.0\r\n\r\n")
        #expect(text(input, headed.payload) == "xyz")
    }

    @Test func waitsForWholeOperationsAtEveryCut() throws {
        let input = Array("MSG s 1 4\r\nabcd\r\nHMSG s 2 12 13\r\nNATS/1.0\r\n\r\nz\r\nPING\r\n".utf8)
        for cut in 0..<input.count {
            let first = try Array(input[..<cut]).withUnsafeBytes { try parser.next(in: $0) }
            if cut < 17 { #expect(first == nil, "cut at \(cut)") } else { #expect(first?.byteCount == 17) }
        }
    }

    @Test func findsHeaderValuesCaseInsensitively() throws {
        let block = Array("NATS/1.0\r\nMycelium-Origin: b1\r\nmycelium-layout:  0a1b \r\n\r\n".utf8)
        try block.withUnsafeBytes { bytes in
            let value = try #require(
                NATSParser.headerValue(named: "Mycelium-Layout", in: bytes, block: 0..<bytes.count))
            #expect(text(block, value) == "0a1b")
            #expect(NATSParser.headerValue(named: "Missing", in: bytes, block: 0..<bytes.count) == nil)
        }
        let notHeaders = Array("HTTP/1.1\r\nMycelium-Layout: 0a\r\n\r\n".utf8)
        notHeaders.withUnsafeBytes { bytes in
            #expect(NATSParser.headerValue(named: "Mycelium-Layout", in: bytes, block: 0..<bytes.count) == nil)
        }
    }

    @Test func rejectsMalformedInputWithClearErrors() {
        #expect(
            error("HELLO\r\n")
                == "the NATS server sent an unknown operation 'HELLO'; expected INFO, MSG, HMSG, PING, PONG, +OK or -ERR")
        #expect(error("\r\n") == "the NATS server sent an empty line")
        #expect(error("PING\n") == "the NATS server sent a line ended by LF alone; the protocol ends lines with CRLF")
        #expect(
            error(String(repeating: "x", count: 5000))
                == "the NATS server sent a control line longer than 4096 bytes")
        #expect(error("MSG a 1\r\n") == "the NATS server sent MSG with 2 arguments; expected 3 or 4")
        #expect(error("HMSG a 1 2 3 4 5\r\n") == "the NATS server sent HMSG with more than 5 arguments")
        #expect(error("MSG a x 1\r\n") == "the NATS server sent a MSG subscription id 'x' that is not a number")
        #expect(error("MSG a 1 -1\r\n") == "the NATS server sent a MSG size '-1' that is not a number")
        #expect(
            error("MSG a 1 1234567890123456\r\n") == "the NATS server sent a MSG size of 16 digits; expected 1 to 15")
        #expect(error("HMSG a 1 9 4\r\n") == "the NATS server sent HMSG with 9 header bytes in a message of 4")
        #expect(error("MSG a 1 2000\r\n") == "the NATS server sent a message of 2000 bytes, above the 1024 this uplink accepts")
        #expect(error("MSG a 1 2\r\nabcd") == "the NATS server sent MSG whose 2 bytes are not followed by CRLF")
    }

    @Test func survivesEveryTruncationAndCorruptionOfAValidStream() {
        // A small deterministic fuzz: every prefix and every one-byte change either parses,
        // asks for more, or throws; none traps or reads out of bounds.
        let input = Array("INFO {}\r\nMSG s 1 3\r\nabc\r\nHMSG s 2 12 14\r\nNATS/1.0\r\n\r\nzz\r\n-ERR 'x'\r\n".utf8)
        for position in input.indices {
            for replacement: UInt8 in [0, 10, 13, 32, 48, 57, 255] {
                var changed = input
                changed[position] = replacement
                changed.withUnsafeBytes { bytes in
                    var offset = 0
                    for _ in 0..<16 {
                        guard let parsed = try? parser.next(in: UnsafeRawBufferPointer(rebasing: bytes[offset...])) else {
                            break
                        }
                        #expect(parsed.byteCount > 0 && offset + parsed.byteCount <= bytes.count)
                        offset += parsed.byteCount
                    }
                }
            }
        }
    }
}
