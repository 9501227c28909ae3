package import Glibc

/// A ``SocketAddress`` as the socket calls take it: a `sockaddr` of the right family.
///
/// The one place host names are resolved, so listeners, clients and test clients agree on
/// what `localhost` or a name means.
package struct ResolvedSocketAddress {
    /// `AF_INET`, `AF_INET6` or `AF_UNIX`.
    package let family: Int32
    private var storage = sockaddr_storage()
    private let length: socklen_t

    /// Resolves `address`: a TCP host through `getaddrinfo` (literals and names alike,
    /// taking its first answer; a name may block, so never call this on a cooperative
    /// thread), a Unix path into a `sockaddr_un`.
    ///
    /// - Throws: ``EngineError`` naming `operation` (e.g. `connect 127.0.0.1:7800`) when the
    ///   host cannot be resolved or the path does not fit.
    package init(_ address: SocketAddress, operation: String) throws(EngineError) {
        switch address {
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_flags = AI_NUMERICSERV
            var found: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &found)
            guard status == 0, let first = found else {
                throw EngineError(
                    operation, code: 0,
                    reason: "cannot resolve host '\(host)': \(String(cString: gai_strerror(status))); "
                        + "use an IP address (e.g. 127.0.0.1 or [::1]) or a name this machine resolves")
            }
            defer { freeaddrinfo(found) }
            family = first.pointee.ai_family
            length = first.pointee.ai_addrlen
            withUnsafeMutableBytes(of: &storage) { raw in
                raw.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
            }
        case .unix(let path):
            if let problem = SocketAddress.unixPathProblem(path) {
                throw EngineError(operation, code: 0, reason: problem)
            }
            var unixAddress = sockaddr_un()
            unixAddress.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &unixAddress.sun_path) { raw in
                for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
            }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: unixAddress, as: sockaddr_un.self) }
            family = AF_UNIX
            length = socklen_t(MemoryLayout<sockaddr_un>.size)
        }
    }

    /// Calls `body` with the address and its length, e.g. for `bind` or `connect`.
    package func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> T) rethrows -> T {
        try withUnsafePointer(to: storage) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, length) }
        }
    }
}
