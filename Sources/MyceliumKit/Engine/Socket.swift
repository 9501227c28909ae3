import Glibc

/// The POSIX socket calls the engine makes, with errors as ``EngineError`` values.
enum Socket {
    static let streamFlags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)

    /// A non-blocking TCP listener on `host` (an IP literal or a name, resolved as
    /// ``ResolvedSocketAddress`` does); returns the descriptor and the bound address (port 0
    /// resolved).
    static func listenTCP(host: String, port: UInt16, backlog: Int32 = 1024) throws(EngineError) -> (
        fd: Int32, address: SocketAddress
    ) {
        let what = "listen tcp \(SocketAddress.tcp(host: host, port: port))"
        let resolved = try ResolvedSocketAddress(.tcp(host: host, port: port), operation: what)
        let fd = socket(resolved.family, streamFlags, 0)
        guard fd >= 0 else { throw EngineError(what, code: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        try bindAndListen(fd, resolved, backlog: backlog, what: what)
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        let boundPort = withUnsafeBytes(of: &actual) { bytes in
            resolved.family == AF_INET6
                ? UInt16(bigEndian: bytes.load(as: sockaddr_in6.self).sin6_port)
                : UInt16(bigEndian: bytes.load(as: sockaddr_in.self).sin_port)
        }
        return (fd, .tcp(host: host, port: boundPort))
    }

    /// A non-blocking Unix-socket listener at `path`, its file given `mode`.
    ///
    /// A socket file left by a process that is gone is replaced; one that answers is an
    /// error, and so is a file that is not a socket.
    static func listenUnix(path: String, mode: mode_t, backlog: Int32 = 1024) throws(EngineError) -> Int32 {
        let what = "listen unix \(path)"
        let resolved = try ResolvedSocketAddress(.unix(path: path), operation: what)
        try removeStaleSocket(at: path, address: resolved, what: what)
        let fd = socket(AF_UNIX, streamFlags, 0)
        guard fd >= 0 else { throw EngineError(what, code: errno) }
        try bindAndListen(fd, resolved, backlog: backlog, what: what) { chmod(path, mode) == 0 }
        return fd
    }

    /// Binds `fd` to `address`, runs `prepare` (e.g. `chmod` of a socket file) and listens;
    /// closes `fd` and throws when a step fails.
    private static func bindAndListen(
        _ fd: Int32, _ address: ResolvedSocketAddress, backlog: Int32, what: String, prepare: () -> Bool = { true }
    ) throws(EngineError) {
        guard address.withSockaddr({ bind(fd, $0, $1) }) == 0, prepare(), listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            let hint = code == EADDRINUSE ? " (another process listens there; pick another port or stop it)" : ""
            throw EngineError(what, code: code, reason: String(cString: strerror(code)) + hint)
        }
    }

    private static func removeStaleSocket(at path: String, address: ResolvedSocketAddress, what: String) throws(EngineError) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw EngineError(what, code: EEXIST, reason: "the path exists and is not a socket; remove it or pick another path")
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { throw EngineError(what, code: errno) }
        defer { close(probe) }
        if address.withSockaddr({ connect(probe, $0, $1) }) == 0 {
            throw EngineError(
                what, code: EADDRINUSE, reason: "another process answers on this socket; stop it or pick another path")
        }
        guard errno == ECONNREFUSED else { throw EngineError(what, code: errno) }
        guard unlink(path) == 0 else { throw EngineError("remove stale socket \(path)", code: errno) }
    }

    /// Accepts one pending connection, non-blocking; `nil` when none is pending.
    static func accept(listener: Int32, isTCP: Bool) -> Int32? {
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        if isTCP {
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        return fd
    }

    /// Writes `bytes` if the socket takes them now; used for a last word before closing.
    static func sendNow(_ fd: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
    }
}
