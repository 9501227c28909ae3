import Glibc
import MyceliumKit

/// A NATS client written out by hand for tests: it speaks the text protocol over a
/// ``TestConnection`` (every read bounded by its timeout) on a thread of its own, to check
/// what the uplink sends and to send what any NATS client could.
package final class RawNATSClient: Sendable {
    /// A message as read: subject, headers (the raw block, empty for `MSG`) and payload.
    package struct Message: Sendable, Equatable {
        package let subject: String
        package let headers: String
        package let payload: [UInt8]
    }

    private let client: TestClient

    /// Connects, reads `INFO`, sends `CONNECT` (headers on, no echo of its own publishes) and,
    /// when `waitsForPong` (the default), waits for the `PONG` of a `PING`. A client that is
    /// to stay silent does not wait: on a slow machine the server may close it as stale
    /// before a PONG would have come.
    package init(_ server: NATSServer, waitsForPong: Bool = true) async throws {
        client = try await TestClient(server.address)
        try await client.perform { connection in
            _ = try Self.readLine(connection)
            try connection.send(
                Array(
                    ("CONNECT {\"verbose\":false,\"pedantic\":false,\"echo\":false,\"headers\":true,\"protocol\":1}\r\n"
                        + (waitsForPong ? "PING\r\n" : "")).utf8))
            if waitsForPong { try Self.readUntilPong(connection) }
        }
    }

    /// Sends raw protocol text, e.g. `PUB mycelium.Small 3\r\nabc\r\n`.
    package func send(_ text: [UInt8]) async throws {
        try await client.send(text)
    }

    /// Publishes `payload` on `subject`, with `headers` (`Name: value` lines) as `HPUB`.
    package func publish(_ subject: String, _ payload: [UInt8], headers: [String] = []) async throws {
        if headers.isEmpty {
            try await send(Array("PUB \(subject) \(payload.count)\r\n".utf8) + payload + Array("\r\n".utf8))
        } else {
            let block = Array(("NATS/1.0\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n").utf8)
            try await send(
                Array("HPUB \(subject) \(block.count) \(block.count + payload.count)\r\n".utf8) + block + payload
                    + Array("\r\n".utf8))
        }
    }

    /// Subscribes to `subject` and waits until the server has the subscription (PING/PONG).
    package func subscribe(_ subject: String, sid: Int = 1) async throws {
        try await client.perform { connection in
            try connection.send(Array("SUB \(subject) \(sid)\r\nPING\r\n".utf8))
            try Self.readUntilPong(connection)
        }
    }

    /// Reads until the next `MSG` or `HMSG` (answering `PING`s), within the read timeout.
    package func nextMessage() async throws -> Message {
        try await client.perform { connection in
            while true {
                let line = try Self.readLine(connection)
                if line == "PING" {
                    try connection.send(Array("PONG\r\n".utf8))
                    continue
                }
                let fields = line.split(separator: " ")
                guard let operation = fields.first, operation == "MSG" || operation == "HMSG" else { continue }
                let hasHeaders = operation == "HMSG"
                let total = Int(fields[fields.count - 1]) ?? 0
                let headerBytes = hasHeaders ? Int(fields[fields.count - 2]) ?? 0 : 0
                let body = try Self.read(connection, total + 2)
                return Message(
                    subject: String(fields[1]), headers: String(decoding: body[..<headerBytes], as: UTF8.self),
                    payload: Array(body[headerBytes..<total]))
            }
        }
    }

    /// Sends PING and reads until PONG (answering the server's PINGs): returns how many
    /// messages came before it.
    package func sync() async throws -> Int {
        try await client.perform { connection in
            try connection.send(Array("PING\r\n".utf8))
            var messages = 0
            while true {
                let line = try Self.readLine(connection)
                if line == "PONG" { return messages }
                if line == "PING" { try connection.send(Array("PONG\r\n".utf8)) }
                if line.hasPrefix("MSG") || line.hasPrefix("HMSG") {
                    messages += 1
                    let total = Int(line.split(separator: " ").last ?? "") ?? 0
                    _ = try Self.read(connection, total + 2)
                }
            }
        }
    }

    /// Reads without answering until the server closes the connection (within the read
    /// timeout per line); returns the lines it sent.
    package func linesUntilClosed() async throws -> [String] {
        try await client.perform { connection in
            var lines: [String] = []
            while let line = try? Self.readLine(connection) { lines.append(line) }
            return lines
        }
    }

    /// Reads lines until a `PONG`, answering the server's `PING`s meanwhile.
    private static func readUntilPong(_ connection: TestConnection) throws {
        while true {
            let line = try readLine(connection)
            if line == "PONG" { return }
            if line == "PING" { try connection.send(Array("PONG\r\n".utf8)) }
        }
    }

    private static func readLine(_ connection: TestConnection) throws -> String {
        var line: [UInt8] = []
        while true {
            let byte = try read(connection, 1)[0]
            if byte == 10 { return String(decoding: line.dropLast(), as: UTF8.self) }
            line.append(byte)
        }
    }

    private static func read(_ connection: TestConnection, _ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let received = bytes.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress! + filled, count - filled, 0) }
            if received < 0 && errno == EINTR { continue }
            guard received > 0 else { throw EngineError("raw NATS client read", code: received == 0 ? 0 : errno) }
            filled += received
        }
        return bytes
    }
}
