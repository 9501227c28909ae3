import Glibc

extension Socket {
    /// Starts a non-blocking connection to a broker's TCP or Unix address.
    ///
    /// Returns the descriptor and whether the connection is already complete; when it is
    /// not, wait for the descriptor to become writable and call ``connectionResult(_:)``.
    /// The address is resolved as ``ResolvedSocketAddress`` does (a host name may block, so
    /// call this on a loop thread, never on a cooperative one).
    static func startConnect(to address: SocketAddress) throws(EngineError) -> (fd: Int32, isComplete: Bool) {
        let what = "connect \(address.description)"
        let resolved = try ResolvedSocketAddress(address, operation: what)
        let fd = socket(resolved.family, streamFlags, 0)
        guard fd >= 0 else { throw EngineError(what, code: errno) }
        if resolved.family != AF_UNIX {
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        if resolved.withSockaddr({ Glibc.connect(fd, $0, $1) }) == 0 { return (fd, true) }
        let code = errno
        if code == EINPROGRESS || code == EAGAIN { return (fd, false) }
        close(fd)
        throw EngineError(what, code: code, reason: String(cString: strerror(code)) + Self.connectHint(code))
    }

    /// The outcome of a connection started by ``startConnect(to:)``, once its descriptor is
    /// writable: `0`, or the `errno` it failed with.
    static func connectionResult(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
        return code
    }

    /// What to do about a failed connect.
    static func connectHint(_ code: Int32) -> String {
        switch code {
        case ECONNREFUSED, ENOENT: " (is the broker running there?)"
        case EACCES: " (no permission for the socket file)"
        default: ""
        }
    }
}
