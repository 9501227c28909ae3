import Glibc

/// A blocking Unix-socket connection for a fuzz harness: whole writes, reads with a deadline,
/// and the calls that run a stepped peer (a broker or client driven on the harness's thread)
/// while they wait (``SteppedIO``). Any failure the harness does not expect stops the run
/// with a message (a fuzz target reports by crashing).
public struct RawSocket: ~Copyable, Sendable {
    /// The descriptor.
    public let fd: Int32

    /// Connects to the Unix socket at `path`; reads give up after `timeoutSeconds`.
    public init(path: String, timeoutSeconds: Int = 5) {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        precondition(fd >= 0, "socket: \(String(cString: strerror(errno)))")
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        precondition(connected == 0, "connect \(path): \(String(cString: strerror(errno)))")
        Self.setTimeout(fd, timeoutSeconds)
    }

    private static func setTimeout(_ fd: Int32, _ seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads one frame: its header and payload; `nil` when the connection ends or the
    /// timeout passes first.
    public func readFrame() -> (typeID: UInt16, payload: [UInt8])? {
        guard let header = read(6) else { return nil }
        let typeID = UInt16(header[0]) | UInt16(header[1]) << 8
        let length = Int(header[2]) | Int(header[3]) << 8 | Int(header[4]) << 16 | Int(header[5]) << 24
        guard let payload = read(length) else { return nil }
        return (typeID, payload)
    }

    deinit { close(fd) }

    /// Writes every byte; `false` when the peer closed the connection first.
    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }

    /// Writes every byte of `bytes`; `false` when the peer closed the connection first.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { send($0) }
    }

    /// Reads exactly `count` bytes; `nil` when the connection ends or the timeout passes first.
    public func read(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + offset, count - offset, 0) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return nil }
            offset += got
        }
        return bytes
    }

    /// Runs `step` until a read would not wait (see ``SteppedIO/waitReadable(_:stepping:)``).
    public func waitReadable(stepping step: () -> Void) -> Bool {
        SteppedIO.waitReadable(fd, stepping: step)
    }

    /// What ``drain()`` reads into and discards, made once (a fuzz target drains per input).
    private nonisolated(unsafe) static let scratch = UnsafeMutableRawPointer.allocate(byteCount: scratchSize, alignment: 8)
    private static let scratchSize = 65536

    /// Reads what has arrived without waiting; `false` when the peer closed the connection.
    public func drain() -> Bool {
        while true {
            let count = recv(fd, Self.scratch, Self.scratchSize, Int32(MSG_DONTWAIT))
            if count > 0 { continue }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return true }
            return false
        }
    }
}
