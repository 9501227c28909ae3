import Foundation
import Glibc
import MyceliumBackends
import MyceliumKit
import MyceliumTestSupport
import Testing

/// A pool for test clients: the test types' classes and the engine's 64 KiB class, from the
/// heap, so that `inUse` counts every buffer a client holds.
func clientPool() -> SystemPool {
    SystemPool(
        configuration: PoolConfiguration(
            plan: TestTypes.table.sizeClassPlan.adding([.init(size: 64 << 10, capacity: 16)])))
}

/// `count` frames of type `typeID`, header and `payloadSize`-byte payload each, whose first
/// 8 payload bytes are the sequence numbers `first`, `first + 1`, ..., in a buffer of
/// `client`'s pool, for ``MyceliumClient/publish(encodedFrames:)``.
func encodedRun(
    for client: MyceliumClient, typeID: UInt16, payloadSize: Int, from first: Int, count: Int
) throws -> PooledBuffer {
    let frameBytes = FrameHeader.byteCount + payloadSize
    var frames = try client.pool.acquire(byteCount: count * frameBytes)
    let header = FrameHeader(typeID: typeID, length: UInt32(payloadSize))
    for index in 0..<count {
        let frame = frames.baseAddress + index * frameBytes
        header.write(to: frame)
        (frame + FrameHeader.byteCount).initializeMemory(as: UInt8.self, repeating: 0, count: payloadSize)
        (frame + FrameHeader.byteCount).storeBytes(of: UInt64(first + index).littleEndian, as: UInt64.self)
    }
    frames.count = count * frameBytes
    return frames
}

/// The sequence number in a payload made by ``encodedRun(for:typeID:payloadSize:from:count:)``.
func sequence(_ payload: UnsafeRawBufferPointer) -> Int {
    Int(UInt64(littleEndian: payload.loadUnaligned(as: UInt64.self)))
}

/// Connects a client named `name` to `address` with its own test pool.
func connectClient(
    _ address: SocketAddress, name: String = "test", digest: [UInt8]? = nil, token: String? = nil,
    options: MyceliumClient.Options = .forTests
) async throws -> MyceliumClient {
    try await MyceliumClient.connect(
        to: address, name: name, digest: digest, token: token, pool: clientPool(), options: options)
}

/// The `MyceliumClientError` `body` throws, or a failed expectation if it throws another
/// error or none.
func clientError(_ body: () async throws -> Void) async -> MyceliumClientError? {
    do {
        try await body()
        Issue.record("expected a MyceliumClientError, nothing was thrown")
    } catch let error as MyceliumClientError {
        return error
    } catch {
        Issue.record("expected a MyceliumClientError, got \(error)")
    }
    return nil
}

/// A client connected to a ``StalledPeer`` the test plays the broker with; both are closed
/// after `body`, and every buffer of the client must be back in its pool then.
func withPeer(
    options: MyceliumClient.Options = .forTests,
    _ body: (MyceliumClient, StalledPeer, Int32) async throws -> Void
) async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let peer = try StalledPeer(path: directory.path + "/peer.sock")
    defer { close(peer.listener) }
    let accepting = Task { try await onThread { try peer.acceptAndGreet() } }
    let pool = clientPool()
    let client = try await within(20, "connecting") {
        try await MyceliumClient.connect(to: .unix(path: peer.path), name: "scripted", pool: pool, options: options)
    }
    let connection = try await accepting.value
    defer { close(connection) }
    try await body(client, peer, connection)
    try await client.close(timeout: .milliseconds(100))
    #expect(pool.stats().inUse == 0, "buffers still out after close: \(pool.stats())")
}

/// A peer that answers HELLO and then reads only when told: the stalled path a publisher
/// meets when the broker cannot take more, or a broker that stopped answering. A test can
/// also play the broker by hand with ``readFrame(_:)`` and ``write(_:_:)``.
struct StalledPeer: @unchecked Sendable {
    let listener: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 4) == 0 else { throw TimedOut("cannot listen on \(path)") }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Accepts one connection, reads its HELLO and answers with one; returns the connection.
    func acceptAndGreet() throws -> Int32 {
        let fd = try acceptHello()
        let reply = ControlFrame.hello(Hello(peerName: "stalled")).encoded()
        _ = reply.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return fd
    }

    /// Accepts one connection and reads its HELLO, without answering; returns the connection.
    func acceptHello() throws -> Int32 {
        // A signal (the thread sanitizer uses them) interrupts accept and recv: retry those.
        var fd: Int32
        repeat { fd = accept(listener, nil, nil) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw TimedOut("no client connected: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var header = [UInt8](repeating: 0, count: FrameHeader.byteCount)
        try readExactly(fd, into: &header)
        let hello = header.withUnsafeBytes { FrameHeader(readingFrom: $0.baseAddress!) }
        var payload = [UInt8](repeating: 0, count: Int(hello.length))
        try readExactly(fd, into: &payload)
        return fd
    }

    /// Reads and discards `byteCount` bytes (each read bounded by the 60 s timeout).
    func drain(_ fd: Int32, byteCount: Int) throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        var remaining = byteCount
        while remaining > 0 {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, remaining), 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw TimedOut("the peer got \(byteCount - remaining) of \(byteCount) bytes") }
            remaining -= count
        }
    }

    /// Reads `byteCount` bytes (each read bounded by the 60 s timeout).
    func read(_ fd: Int32, byteCount: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        try readExactly(fd, into: &bytes)
        return bytes
    }

    /// Reads one frame (each read bounded by the 60 s timeout): its decoded control frame,
    /// or `nil` for a data frame.
    func readFrame(_ fd: Int32) throws -> ControlFrame? {
        var header = [UInt8](repeating: 0, count: FrameHeader.byteCount)
        try readExactly(fd, into: &header)
        let decoded = header.withUnsafeBytes { FrameHeader(readingFrom: $0.baseAddress!) }
        var payload = [UInt8](repeating: 0, count: Int(decoded.length))
        try readExactly(fd, into: &payload)
        guard decoded.typeID < 1000 else { return nil }
        return try payload.withUnsafeBytes { try ControlFrame.decode(typeID: decoded.typeID, payload: $0) }
    }

    /// Writes `frame` whole.
    func write(_ fd: Int32, _ frame: ControlFrame) {
        write(fd, bytes: frame.encoded())
    }

    /// Writes `bytes` as they are (a frame the client must refuse, say).
    func write(_ fd: Int32, bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func readExactly(_ fd: Int32, into bytes: inout [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + offset, $0.count - offset, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw TimedOut("the client sent \(offset) of \(bytes.count) bytes") }
            offset += count
        }
    }
}
