import Glibc
import MyceliumKit

/// A blocking connection to a broker for one-shot client commands (`stats`, `connections`): connect,
/// send a frame, read frames, each read bounded by a timeout.
final class BrokerSocket {
    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to `address`; reads and writes time out after `timeoutSeconds`.
    init(_ address: ListenerAddress, timeoutSeconds: Int = 5) throws(UserError) {
        var storage = sockaddr_storage()
        let length: socklen_t
        let family: Int32
        switch address {
        case .tcp(let host, let port):
            if host.contains(":") {
                var ipv6 = sockaddr_in6()
                ipv6.sin6_family = sa_family_t(AF_INET6)
                ipv6.sin6_port = port.bigEndian
                guard inet_pton(AF_INET6, host, &ipv6.sin6_addr) == 1 else {
                    throw UserError(text: "--tcp host '\(host)' is not an IPv6 address literal")
                }
                withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: ipv6, as: sockaddr_in6.self) }
                length = socklen_t(MemoryLayout<sockaddr_in6>.size)
                family = AF_INET6
            } else {
                var ipv4 = sockaddr_in()
                ipv4.sin_family = sa_family_t(AF_INET)
                ipv4.sin_port = port.bigEndian
                guard inet_pton(AF_INET, host, &ipv4.sin_addr) == 1 else {
                    throw UserError(text: "--tcp host '\(host)' is not an IPv4 address literal, e.g. 127.0.0.1")
                }
                withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: ipv4, as: sockaddr_in.self) }
                length = socklen_t(MemoryLayout<sockaddr_in>.size)
                family = AF_INET
            }
        case .unix(let path):
            var unix = sockaddr_un()
            unix.sun_family = sa_family_t(AF_UNIX)
            guard path.utf8.count < MemoryLayout.size(ofValue: unix.sun_path) else {
                throw UserError(text: "--unix path is too long: \(path)")
            }
            withUnsafeMutableBytes(of: &unix.sun_path) { raw in
                for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
            }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: unix, as: sockaddr_un.self) }
            length = socklen_t(MemoryLayout<sockaddr_un>.size)
            family = AF_UNIX
        }
        fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw UserError(text: "cannot reach a broker at \(address): \(reason); is 'mycelium serve' running there?")
        }
    }

    deinit { close(fd) }

    /// Sends a whole control frame.
    func send(_ frame: ControlFrame) throws(UserError) {
        try send(bytes: frame.encoded())
    }

    /// Sends bytes (whole frames) as they are.
    func send(bytes: [UInt8]) throws(UserError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw UserError(text: "sending to the broker failed: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    /// Sends `request` (STATS_REQUEST or CONNECTIONS_REQUEST) and returns the document of
    /// the reply, skipping frames that are not one.
    ///
    /// - Throws: the broker's ``WireError`` when it answers ERROR (ERROR 2 from a broker
    ///   that does not know the request); ``UserError`` when the connection fails.
    func document(for request: ControlFrame) throws -> String {
        try send(request)
        while true {
            let frame = try readFrame()
            let decoded = try frame.payload.withUnsafeBytes { (raw) throws(WireError) in
                try ControlFrame.decode(typeID: frame.typeID, payload: raw)
            }
            switch decoded {
            case .stats(let document), .connections(let document): return document
            case .error(let error): throw error
            default: continue
            }
        }
    }

    /// Reads the next frame: its type and payload.
    func readFrame() throws(UserError) -> (typeID: UInt16, payload: [UInt8]) {
        while true {
            if buffer.count >= FrameHeader.byteCount {
                let header = buffer.withUnsafeBytes { FrameHeader(readingFrom: $0.baseAddress!) }
                let end = FrameHeader.byteCount + Int(header.length)
                if buffer.count >= end {
                    let payload = Array(buffer[FrameHeader.byteCount..<end])
                    buffer.removeFirst(end)
                    return (header.typeID, payload)
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else {
                throw UserError(
                    text: count == 0
                        ? "the broker closed the connection"
                        : "reading from the broker failed: \(String(cString: strerror(errno)))")
            }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }
}
