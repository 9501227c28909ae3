/// One NATS server the uplink may connect to: `nats://HOST:PORT`, with optional
/// credentials as NATS clients write them (`nats://USER:PASS@HOST:PORT` or
/// `nats://TOKEN@HOST:PORT`). The port defaults to 4222; an IPv6 host goes in brackets.
///
/// ```swift
/// let server = try NATSURL(parsing: "nats://alice:secret@10.0.0.7:4222")
/// server.address        // 10.0.0.7:4222
/// server.description    // "nats://10.0.0.7:4222" (credentials are never printed)
/// ```
public struct NATSURL: Sendable, Hashable, CustomStringConvertible {
    /// The server's host: an IP literal or a name.
    public let host: String
    /// The server's client port.
    public let port: UInt16
    /// The user name of `nats://USER:PASS@…`, else `nil`.
    public let user: String?
    /// The password of `nats://USER:PASS@…`, else `nil`.
    public let password: String?
    /// The token of `nats://TOKEN@…`, else `nil`.
    public let token: String?

    /// NATS's default client port.
    public static let defaultPort: UInt16 = 4222

    /// Creates a URL from its parts.
    public init(host: String, port: UInt16 = defaultPort, user: String? = nil, password: String? = nil, token: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.token = token
    }

    /// Reads `nats://[USER:PASS@|TOKEN@]HOST[:PORT]`; `%XX` escapes in the credentials are decoded.
    ///
    /// - Throws: ``UplinkError`` when the scheme is not `nats` (`tls` is named: TLS is not
    ///   supported), the host is missing, the port is not 1-65535, the credentials are
    ///   empty, or a path follows the address.
    public init(parsing text: String) throws(UplinkError) {
        let usage = "write nats://HOST:PORT, nats://USER:PASS@HOST:PORT or nats://TOKEN@HOST:PORT"
        let parts = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw UplinkError("'\(text)' is not a NATS URL; \(usage)")
        }
        let scheme = parts[0].lowercased()
        if scheme == "tls" || scheme == "wss" {
            throw UplinkError(
                "'\(text)': TLS is not supported by the uplink; connect it to a NATS listener without TLS (nats://)")
        }
        guard scheme == "nats" else {
            throw UplinkError("'\(text)' uses scheme '\(scheme)'; the uplink speaks only nats://; \(usage)")
        }
        var rest = parts[1]
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("?") else {
            throw UplinkError("'\(text)': a NATS URL has no path or query; \(usage)")
        }
        var user: String?
        var password: String?
        var token: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = Self.decoded(credentials[..<colon])
                password = Self.decoded(credentials[credentials.index(after: colon)...])
                guard user?.isEmpty == false else {
                    throw UplinkError("'\(text)' has a password but no user name; \(usage)")
                }
            } else {
                token = Self.decoded(credentials)
                guard token?.isEmpty == false else {
                    throw UplinkError("'\(text)' has an empty token before '@'; \(usage)")
                }
            }
        }
        guard !rest.isEmpty else { throw UplinkError("'\(text)' has no host; \(usage)") }
        let address: SocketAddress
        do {
            address = try SocketAddress(parsingTCP: Self.withPort(rest))
        } catch {
            throw UplinkError("'\(text)': \(error)")
        }
        guard case .tcp(let host, let port) = address, port != 0 else {
            throw UplinkError("'\(text)': port 0 is not a server's port; give the NATS server's client port, e.g. 4222")
        }
        self.init(host: host, port: port, user: user, password: password, token: token)
    }

    /// `nats://HOST:PORT`, without credentials.
    public var description: String { "nats://\(address)" }

    /// The server's TCP address.
    public var address: SocketAddress { .tcp(host: host, port: port) }

    /// `HOST:PORT` with the default port added when the text has none.
    private static func withPort(_ text: Substring) -> String {
        if text.hasPrefix("[") { return text.hasSuffix("]") ? "\(text):\(defaultPort)" : String(text) }
        return text.contains(":") || text.isEmpty ? String(text) : "\(text):\(defaultPort)"
    }

    /// `text` with `%XX` escapes decoded; an invalid escape is kept as written.
    private static func decoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
