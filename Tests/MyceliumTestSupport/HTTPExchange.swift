import Glibc
package import MyceliumKit

/// One HTTP exchange over a raw socket, as a scraper makes it: what was answered.
package struct HTTPExchange: Sendable {
    /// The status code of the status line, 0 when there was none.
    package let status: Int
    /// The status line and headers.
    package let head: String
    package let body: String

    /// Connects to `address`, sends `request` as it is (any bytes, well-formed or not), and
    /// reads until the server closes; on a thread of its own, each read bounded by 5 s.
    ///
    /// - Throws: what connecting or sending threw, or ``TimedOut`` when the server keeps the
    ///   connection open without answering.
    package static func send(_ request: String, to address: SocketAddress) async throws -> HTTPExchange {
        try await onThread {
            let connection = try TestConnection(address)
            try connection.send(Array(request.utf8))
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = chunk.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
                if count == 0 { break }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw TimedOut("an HTTP answer from \(address) did not end within 5 s") }
                received += chunk[..<count]
            }
            return HTTPExchange(String(decoding: received, as: UTF8.self))
        }
    }

    private init(_ text: String) {
        let parts = text.split(separator: "\r\n\r\n", maxSplits: 1, omittingEmptySubsequences: false)
        head = String(parts[0])
        body = parts.count > 1 ? String(parts[1]) : ""
        let statusLine = head.split(separator: "\r\n").first ?? ""
        status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    }

    /// The value of the sample `name` (with its labels, as rendered: `a_total{reason="peer"}`),
    /// or `nil` when the body has no such line.
    package func sample(_ name: String) -> Double? {
        for line in body.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }
}
