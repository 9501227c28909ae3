import Glibc
import MyceliumKit
import MyceliumTestSupport

/// A listener on a free loopback port that greets each client it accepts with a fixed
/// `INFO` line: a NATS server as the uplink first sees one, for what a real one will not
/// do in a test (demand TLS without a certificate, stop answering `PING`s).
final class FakeNATSServer: Sendable {
    let port: UInt16
    private let fd: Int32
    private let info: String

    init(info: String) throws {
        self.info = info
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw EngineError("fake NATS socket", code: errno) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = self.fd
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ready else { throw EngineError("fake NATS listen", code: errno) }
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(fd) }

    /// Accepts one client (within 10 s), answers the `PING` of its handshake and no other,
    /// and reads until the client closes (at most 10 s between reads): returns how many
    /// `PING`s went unanswered.
    func acceptAnsweringOnlyTheHandshake() async throws -> Int {
        let fd = self.fd
        let info = Array("INFO \(info)\r\n".utf8)
        return try await onThread {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { throw EngineError("fake NATS accept", code: errno) }
            defer { close(client) }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            _ = info.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            var answered = false
            var pings = 0
            for _ in 0..<10_000 {
                let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else { throw EngineError("fake NATS read", code: errno) }
                if count == 0 { break }
                received += buffer[..<count]
                while let end = received.firstIndex(of: 10) {
                    let line = String(decoding: received[..<end], as: UTF8.self)
                    received.removeSubrange(...end)
                    guard line.hasPrefix("PING") else { continue }
                    if answered {
                        pings += 1
                    } else {
                        answered = true
                        _ = Array("PONG\r\n".utf8).withUnsafeBytes {
                            send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                        }
                    }
                }
            }
            return pings
        }
    }

    /// Accepts one client (within 10 s), sends the `INFO` line and closes.
    func acceptOne() async throws {
        let fd = self.fd
        let line = Array("INFO \(info)\r\n".utf8)
        try await onThread {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { throw EngineError("fake NATS accept", code: errno) }
            defer { close(client) }
            _ = line.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }
}
