/// Where a broker listens: a TCP host and port, or a Unix-socket path.
///
/// ```swift
/// let tcp = try ListenerAddress(parsingTCP: "[::1]:0")   // IPv6 loopback, any free port
/// let unix = ListenerAddress.unix(path: "/tmp/mycelium.sock")
/// ```
public enum ListenerAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 or IPv6 literal and a port; port 0 asks for any free port.
    case tcp(host: String, port: UInt16)
    /// A filesystem path for a Unix stream socket.
    case unix(path: String)

    /// Why a listener address could not be read.
    public struct ParseError: Error, Hashable, CustomStringConvertible {
        /// Names the text and what is expected.
        public let description: String
    }

    /// Reads `HOST:PORT`, with an IPv6 host in brackets (`[::1]:7800`).
    ///
    /// - Throws: ``ParseError`` when there is no port, the port is not 0-65535, or the host
    ///   is empty.
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

    /// `HOST:PORT` (IPv6 hosts in brackets) or the path.
    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): path
        }
    }
}
