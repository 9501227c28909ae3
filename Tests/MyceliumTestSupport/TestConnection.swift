import Glibc
package import MyceliumKit

/// A blocking raw socket to a broker, for playing a client frame by frame in tests. Every
/// read and write times out, so that no test can hang; use it only on a thread of its own
/// (``TestClient`` runs it on one).
package final class TestConnection: @unchecked Sendable {
    /// A frame as read: its type and a copy of its payload.
    package struct Frame: Equatable, Sendable {
        /// The frame's type id.
        package let typeID: UInt16
        /// The payload bytes.
        package let payload: [UInt8]

        /// Creates a frame.
        package init(typeID: UInt16, payload: [UInt8]) {
            self.typeID = typeID
            self.payload = payload
        }
    }

    /// The socket.
    package let fd: Int32
    private var buffer: [UInt8] = []
    private var readOffset = 0

    /// Connects to `address` (resolved as the broker and ``MyceliumClient`` resolve it);
    /// reads and writes time out after `timeoutSeconds`. `receiveBufferBytes` shrinks the
    /// socket's receive buffer, to make a reader that falls behind quickly.
    package init(_ address: SocketAddress, timeoutSeconds: Int = 5, receiveBufferBytes: Int32? = nil) throws {
        let what = "test client connect \(address)"
        let resolved = try ResolvedSocketAddress(address, operation: what)
        fd = socket(resolved.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw EngineError(what, code: errno) }
        if var size = receiveBufferBytes {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // On a throw, deinit closes the socket.
        guard resolved.withSockaddr({ connect(fd, $0, $1) }) == 0 else { throw EngineError(what, code: errno) }
        if resolved.family != AF_UNIX {
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    deinit { close(fd) }

    /// Sends `bytes` (whole frames, or any part of a stream) as they are.
    package func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw EngineError("test client send", code: errno) }
            offset += sent
        }
    }

    /// Sends one data frame.
    package func send(typeID: UInt16, payload: [UInt8]) throws {
        try send(FrameHeader(typeID: typeID, length: UInt32(payload.count)).bytes + payload)
    }

    /// Sends one control frame.
    package func send(_ frame: ControlFrame) throws {
        try send(frame.encoded())
    }

    /// Sends HELLO (with `token`, if any) and reads the broker's HELLO in answer.
    package func hello(name: String = "test", token: String?) throws {
        try send(.hello(Hello(peerName: name, token: token)))
        let frame = try readFrame()
        guard frame.typeID == ControlFrameType.hello.rawValue else {
            throw EngineError(
                "test client read", code: 0, reason: "expected the broker's HELLO, got a frame of type \(frame.typeID)")
        }
    }

    /// Subscribes and waits for the PONG that proves the subscription is active.
    package func subscribe(_ ids: [UInt16]) throws {
        try send(.subscribe(ids))
        try sync()
    }

    /// Sends a PING and reads until its PONG; returns the frames before it.
    @discardableResult
    package func sync() throws -> [Frame] {
        let token = (0..<8).map { _ in UInt8.random(in: 0...255) }
        try send(.ping(token))
        var before: [Frame] = []
        while true {
            let frame = try readFrame()
            if frame.typeID == ControlFrameType.pong.rawValue && frame.payload == token { return before }
            before.append(frame)
        }
    }

    /// Reads one whole frame.
    ///
    /// - Throws: ``EngineError`` when the read times out or fails, or the stream ends.
    package func readFrame() throws -> Frame {
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
            guard try fill() else {
                throw EngineError("test client read", code: 0, reason: "end of stream after \(buffer.count) unparsed bytes")
            }
        }
    }

    /// Reads the next frame and checks it is an ERROR with `code`; returns its text.
    @discardableResult
    package func expectError(_ code: WireErrorCode) throws -> String {
        let frame = try readFrame()
        let decoded = try frame.payload.withUnsafeBytes { try ControlFrame.decode(typeID: frame.typeID, payload: $0) }
        guard case .error(let error) = decoded, error.code == code else {
            throw EngineError("test client read", code: 0, reason: "expected ERROR \(code.rawValue), got \(decoded)")
        }
        return error.message
    }

    /// Whether the broker closed the connection (reads to the end within the timeout).
    package func isClosedByPeer() -> Bool {
        while true {
            guard let more = try? fill() else { return false }
            if !more { return true }
            buffer.removeAll()
            readOffset = 0
        }
    }

    /// Appends what one `recv` returns; `false` at end of stream (or a reset).
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count == 0 { return false }
        if count < 0 {
            if errno == EINTR { return true }
            if errno == ECONNRESET { return false }
            throw EngineError("test client read", code: errno)
        }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }
}
