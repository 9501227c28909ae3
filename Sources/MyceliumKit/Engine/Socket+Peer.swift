import Glibc

extension Socket {
    /// The address of a connected socket's peer, for log lines: `127.0.0.1:51234`,
    /// `[::1]:51234`, or `unix` (Unix-socket peers have no name); `unknown` when the socket
    /// is no longer connected.
    static func peerAddress(_ fd: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard status == 0 else { return "unknown" }
        switch Int32(storage.ss_family) {
        case AF_INET:
            var address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            return "\(text(AF_INET, &address.sin_addr)):\(UInt16(bigEndian: address.sin_port))"
        case AF_INET6:
            var address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            return "[\(text(AF_INET6, &address.sin6_addr))]:\(UInt16(bigEndian: address.sin6_port))"
        case AF_UNIX:
            return "unix"
        default:
            return "unknown"
        }
    }

    /// An IPv4 or IPv6 address as text.
    private static func text(_ family: Int32, _ address: UnsafeRawPointer) -> String {
        let capacity = Int(INET6_ADDRSTRLEN)
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
            inet_ntop(family, address, buffer.baseAddress, socklen_t(capacity)).map { String(cString: $0) } ?? "unknown"
        }
    }
}
