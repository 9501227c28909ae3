import Glibc

/// The POSIX socket calls the engine makes, with errors as ``EngineError`` values.
enum Socket {
    static let streamFlags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)

    /// A non-blocking TCP listener on an IPv4 or IPv6 literal; returns the descriptor and the
    /// bound address (port 0 resolved).
    static func listenTCP(host: String, port: UInt16, backlog: Int32 = 1024) throws(EngineError) -> (
        fd: Int32, address: ListenerAddress
    ) {
        let what = "listen tcp \(ListenerAddress.tcp(host: host, port: port))"
        var storage = sockaddr_storage()
        let length: socklen_t
        let family: Int32
        if host.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else {
                throw EngineError(what, code: 0, reason: "'\(host)' is not an IPv6 address literal (e.g. ::1)")
            }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in6.self) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            family = AF_INET6
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
                throw EngineError(what, code: 0, reason: "'\(host)' is not an IPv4 address literal (e.g. 127.0.0.1)")
            }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in.self) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            family = AF_INET
        }
        let fd = socket(family, streamFlags, 0)
        guard fd >= 0 else { throw EngineError(what, code: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            let hint = code == EADDRINUSE ? " (another process listens there; pick another port or stop it)" : ""
            throw EngineError(what, code: code, reason: String(cString: strerror(code)) + hint)
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        let boundPort = withUnsafeBytes(of: &actual) { bytes in
            family == AF_INET6
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
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity, !path.isEmpty else {
            throw EngineError(what, code: 0, reason: "a Unix socket path needs 1 to \(capacity - 1) bytes; use a shorter path")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        try removeStaleSocket(at: path, address: address, what: what)
        let fd = socket(AF_UNIX, streamFlags, 0)
        guard fd >= 0 else { throw EngineError(what, code: errno) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, mode) == 0, listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            throw EngineError(what, code: code)
        }
        return fd
    }

    private static func removeStaleSocket(at path: String, address: sockaddr_un, what: String) throws(EngineError) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw EngineError(what, code: EEXIST, reason: "the path exists and is not a socket; remove it or pick another path")
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { throw EngineError(what, code: errno) }
        defer { close(probe) }
        var target = address
        let connected = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if connected == 0 {
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
