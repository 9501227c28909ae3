/// A stream socket's address: a TCP host and port, or a Unix-socket path. A broker listens
/// on these (``BrokerConfiguration/listeners``) and a ``MyceliumClient`` connects to one.
///
/// A TCP host is an IPv4 literal, an IPv6 literal or a name such as `localhost`; listening
/// and connecting resolve it the same way (`getaddrinfo`, first answer).
///
/// ```swift
/// let tcp = try SocketAddress(parsingTCP: "[::1]:0")       // IPv6 loopback, any free port
/// let named = try SocketAddress(parsingTCP: "localhost:7800")
/// let unix = try SocketAddress(parsingUnix: "/tmp/mycelium.sock")
/// ```
public enum SocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// A host (IP literal or name) and a port; port 0 asks a listener for any free port.
    case tcp(host: String, port: UInt16)
    /// A filesystem path for a Unix stream socket (at most ``maxUnixPathBytes`` bytes).
    case unix(path: String)

    /// The longest Unix-socket path the system takes, in bytes (`sun_path` less its NUL).
    public static let maxUnixPathBytes = 107

    /// Why an address could not be read: ``description`` names the text and what is
    /// expected instead.
    public struct ParseError: Error, Hashable, CustomStringConvertible {
        /// Names the text and what is expected.
        public let description: String
    }

    /// Reads `HOST:PORT`, with an IPv6 literal in brackets (`[::1]:7800`). The host is not
    /// resolved here; listening or connecting does that.
    ///
    /// - Throws: ``ParseError`` when there is no port, the port is not 0-65535, the host is
    ///   empty, or an IPv6 host lacks its brackets.
    public init(parsingTCP text: String) throws(ParseError) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ParseError(description: "'\(text)' is not [IPV6]:PORT, e.g. [::1]:7800")
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ParseError(description: "'\(text)' has no port; write HOST:PORT, e.g. 127.0.0.1:7800")
            }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            guard !host.contains(":") else {
                throw ParseError(description: "'\(text)': put an IPv6 host in brackets, e.g. [::1]:7800")
            }
        }
        guard !host.isEmpty else {
            throw ParseError(description: "'\(text)' has no host; write HOST:PORT, e.g. 127.0.0.1:7800")
        }
        guard let number = UInt16(port) else {
            throw ParseError(description: "'\(text)': port '\(port)' is not a number from 0 to 65535")
        }
        self = .tcp(host: String(host), port: number)
    }

    /// Reads a Unix-socket path.
    ///
    /// - Throws: ``ParseError`` when the path is empty or longer than ``maxUnixPathBytes``.
    public init(parsingUnix path: String) throws(ParseError) {
        if let problem = Self.unixPathProblem(path) {
            throw ParseError(description: path.isEmpty ? problem : "'\(path)': \(problem)")
        }
        self = .unix(path: path)
    }

    /// `HOST:PORT` (IPv6 hosts in brackets) or the path.
    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): path
        }
    }

    /// What is wrong with `path` as a Unix-socket path, or `nil`.
    static func unixPathProblem(_ path: String) -> String? {
        if path.isEmpty { return "a Unix socket path is empty; give the socket file's path, e.g. /tmp/mycelium.sock" }
        guard path.utf8.count > maxUnixPathBytes else { return nil }
        return "a Unix socket path has at most \(maxUnixPathBytes) bytes, this one \(path.utf8.count); use a shorter path"
    }
}
