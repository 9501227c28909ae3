import Glibc
import MyceliumKit

/// A small blocking client over a raw socket, for driving a broker in tests. Every read
/// times out (5 s by default) so no test can hang.
final class TestClient: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Frame: Equatable {
        let typeID: UInt16
        let payload: [UInt8]
    }

    let fd: Int32
    private var buffer: [UInt8] = []
    private var readOffset = 0

    init(_ address: ListenerAddress, timeoutSeconds: Int = 5, receiveBufferBytes: Int32? = nil) throws {
        switch address {
        case .tcp(let host, let port):
            let family = host.contains(":") ? AF_INET6 : AF_INET
            fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
            if var size = receiveBufferBytes {
                setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
            var storage = sockaddr_storage()
            var length: socklen_t
            if family == AF_INET6 {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = port.bigEndian
                inet_pton(AF_INET6, host, &address.sin6_addr)
                withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in6.self) }
                length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            } else {
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = port.bigEndian
                inet_pton(AF_INET, host, &address.sin_addr)
                withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in.self) }
                length = socklen_t(MemoryLayout<sockaddr_in>.size)
            }
            let result = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
            }
            guard result == 0 else { throw Failure(description: "connect \(address): \(String(cString: strerror(errno)))") }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        case .unix(let path):
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
            }
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard result == 0 else { throw Failure(description: "connect \(path): \(String(cString: strerror(errno)))") }
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    func send(typeID: UInt16, payload: [UInt8]) throws {
        try send(FrameHeader(typeID: typeID, length: UInt32(payload.count)).bytes + payload)
    }

    func send(_ frame: ControlFrame) throws {
        try send(frame.encoded())
    }

    /// Sends HELLO (with `token`, if any) and reads the broker's HELLO in answer.
    func hello(name: String = "test", token: String?) throws {
        try send(.hello(Hello(peerName: name, token: token)))
        let frame = try readFrame()
        guard frame.typeID == ControlFrameType.hello.rawValue else {
            throw Failure(description: "expected the broker's HELLO, got a frame of type \(frame.typeID)")
        }
    }

    /// Subscribes and waits for the PONG that proves the subscription is active.
    func subscribe(_ ids: [UInt16]) throws {
        try send(.subscribe(ids))
        try sync()
    }

    /// Sends a PING and reads until its PONG; frames before it are returned.
    @discardableResult
    func sync() throws -> [Frame] {
        let token = (0..<8).map { _ in UInt8.random(in: 0...255) }
        try send(.ping(token))
        var before: [Frame] = []
        while true {
            let frame = try readFrame()
            if frame.typeID == ControlFrameType.pong.rawValue && frame.payload == token { return before }
            before.append(frame)
        }
    }

    /// Reads one whole frame; throws on timeout or end of stream.
    func readFrame() throws -> Frame {
        while true {
            let available = buffer.count - readOffset
            if available >= FrameHeader.byteCount {
                let header = buffer.withUnsafeBytes { FrameHeader(readingFrom: $0.baseAddress! + readOffset) }
                let start = readOffset + FrameHeader.byteCount
                let end = start + Int(header.length)
                if buffer.count >= end {
                    let frame = Frame(typeID: header.typeID, payload: Array(buffer[start..<end]))
                    readOffset = end
                    return frame
                }
            }
            if readOffset > 0 {
                buffer.removeFirst(readOffset)
                readOffset = 0
            }
            guard try fill() else { throw Failure(description: "end of stream after \(buffer.count) unparsed bytes") }
        }
    }

    /// Reads the next frame and checks it is an ERROR with `code`; returns its text.
    @discardableResult
    func expectError(_ code: WireErrorCode) throws -> String {
        let frame = try readFrame()
        guard frame.typeID == ControlFrameType.error.rawValue else {
            throw Failure(description: "expected ERROR \(code.rawValue), got a frame of type \(frame.typeID)")
        }
        let decoded = try frame.payload.withUnsafeBytes { try ControlFrame.decode(typeID: 6, payload: $0) }
        guard case .error(let error) = decoded, error.code == code else {
            throw Failure(description: "expected ERROR \(code.rawValue), got \(decoded)")
        }
        return error.message
    }

    /// Every frame until the broker closes the connection (or a read times out).
    func readUntilClosed() -> [Frame] {
        var frames: [Frame] = []
        while let frame = try? readFrame() { frames.append(frame) }
        return frames
    }

    /// Whether the broker closed the connection (reads to the end within the timeout).
    func isClosedByPeer() -> Bool {
        while true {
            guard let more = try? fill() else { return false }
            if !more { return true }
            buffer.removeAll()
            readOffset = 0
        }
    }

    /// Appends what one `recv` returns; `false` at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count == 0 { return false }
        if count < 0 {
            if errno == ECONNRESET { return false }
            throw Failure(description: "recv: \(String(cString: strerror(errno)))")
        }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }
}
