import Glibc

/// A listening Unix socket for a fuzz harness that plays the broker; accepts give up after
/// `timeoutSeconds`.
public struct RawListener: ~Copyable, Sendable {
    /// The descriptor.
    public let fd: Int32
    /// The socket file.
    public let path: String

    /// Listens on a new socket file in a new temporary directory.
    public init(timeoutSeconds: Int = 5) {
        var template = "/tmp/mycelium-fuzz.XXXXXX".utf8CString
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) } + "/peer.sock"
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        precondition(bound == 0 && listen(fd, 16) == 0, "listen \(path): \(String(cString: strerror(errno)))")
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// The next connection, with `timeoutSeconds` reads; stops the run when none comes in
    /// time.
    public func accept(timeoutSeconds: Int = 5) -> RawSocket {
        var connection: Int32
        repeat { connection = Glibc.accept(fd, nil, nil) } while connection < 0 && errno == EINTR
        precondition(connection >= 0, "no client connected: \(String(cString: strerror(errno)))")
        return RawSocket(adopting: connection, timeoutSeconds: timeoutSeconds)
    }
}
