import Glibc

extension Socket {
    /// Starts a non-blocking connection to a broker's TCP or Unix address.
    ///
    /// Returns the descriptor and whether the connection is already complete; when it is
    /// not, wait for the descriptor to become writable and call ``connectionResult(_:)``.
    /// A TCP host is an IPv4 or IPv6 literal or a name `getaddrinfo` resolves (it may block,
    /// so call this on a loop thread, never on a cooperative one).
    static func startConnect(to address: ListenerAddress) throws(EngineError) -> (fd: Int32, isComplete: Bool) {
        let what = "connect \(address.description)"
        var storage = sockaddr_storage()
        let length: socklen_t
        let family: Int32
        switch address {
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var found: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &found)
            guard status == 0, let first = found else {
                throw EngineError(
                    what, code: 0, reason: "cannot resolve host '\(host)': \(String(cString: gai_strerror(status)))")
            }
            defer { freeaddrinfo(found) }
            family = first.pointee.ai_family
            length = first.pointee.ai_addrlen
            withUnsafeMutableBytes(of: &storage) { raw in
                raw.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(length)))
            }
        case .unix(let path):
            var unixAddress = sockaddr_un()
            unixAddress.sun_family = sa_family_t(AF_UNIX)
            let capacity = MemoryLayout.size(ofValue: unixAddress.sun_path)
            guard !path.isEmpty, path.utf8.count < capacity else {
                throw EngineError(
                    what, code: 0, reason: "a Unix socket path needs 1 to \(capacity - 1) bytes; use a shorter path")
            }
            withUnsafeMutableBytes(of: &unixAddress.sun_path) { raw in
                for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
            }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: unixAddress, as: sockaddr_un.self) }
            length = socklen_t(MemoryLayout<sockaddr_un>.size)
            family = AF_UNIX
        }
        let fd = socket(family, streamFlags, 0)
        guard fd >= 0 else { throw EngineError(what, code: errno) }
        if family != AF_UNIX {
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        if result == 0 { return (fd, true) }
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
