/// The request line and headers of an HTTP/1.x request, as the metrics endpoint reads them.
struct HTTPRequestHead: Equatable {
    /// The most bytes a request head may have; a longer one is malformed.
    static let maxByteCount = 8192

    let method: String
    let target: String

    /// What the bytes read so far hold.
    enum Parse: Equatable {
        /// No blank line yet, and still within ``maxByteCount``.
        case incomplete
        /// Not an HTTP/1.x request head; the reason is sent back with 400.
        case malformed(String)
        case request(HTTPRequestHead)
    }

    /// Parses `bytes` up to the blank line that ends the head; a body is ignored.
    static func parse(_ bytes: [UInt8]) -> Parse {
        let end = bytes.indices.dropLast(3).first {
            bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10
        }
        guard let end else {
            return bytes.count > maxByteCount ? .malformed("the request head is longer than \(maxByteCount) bytes") : .incomplete
        }
        guard end <= maxByteCount else { return .malformed("the request head is longer than \(maxByteCount) bytes") }
        guard let text = String(validating: bytes[..<end], as: UTF8.self) else {
            return .malformed("the request head is not UTF-8")
        }
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        let parts = lines[0].split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[1].hasPrefix("/") else {
            return .malformed("the request line is not 'METHOD /path HTTP/1.1'")
        }
        guard parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else {
            return .malformed("the protocol is '\(parts[2])', not HTTP/1.1 or HTTP/1.0")
        }
        for line in lines.dropFirst() where !line.contains(":") {
            return .malformed("a header line has no ':'")
        }
        return .request(HTTPRequestHead(method: String(parts[0]), target: String(parts[1])))
    }

    /// `GET /metrics` (a query string is ignored) gets `render()`'s text; another path 404,
    /// another method 405.
    func response(render: () -> String) -> HTTPResponse {
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard path == "/metrics" else { return HTTPResponse(status: .notFound, body: "not found: try /metrics\n") }
        guard method == "GET" else {
            return HTTPResponse(status: .methodNotAllowed, body: "method \(method) not allowed: use GET\n")
        }
        return HTTPResponse(status: .ok, body: render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}

/// An HTTP/1.1 response that closes the connection.
struct HTTPResponse {
    enum Status: Int {
        case ok = 200
        case badRequest = 400
        case notFound = 404
        case methodNotAllowed = 405

        var reason: String {
            switch self {
            case .ok: "OK"
            case .badRequest: "Bad Request"
            case .notFound: "Not Found"
            case .methodNotAllowed: "Method Not Allowed"
            }
        }
    }

    let status: Status
    let body: String
    var contentType = "text/plain; charset=utf-8"

    func encoded() -> [UInt8] {
        let body = Array(body.utf8)
        var head = "HTTP/1.1 \(status.rawValue) \(status.reason)\r\nContent-Type: \(contentType)\r\n"
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n"
        if status == .methodNotAllowed { head += "Allow: GET\r\n" }
        return Array((head + "\r\n").utf8) + body
    }
}
