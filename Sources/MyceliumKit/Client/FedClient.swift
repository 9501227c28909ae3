import Glibc

/// A client whose input the caller feeds from memory, for the fuzz targets: a client's own
/// loop (``ClientLoop``) without its thread, run on the caller's thread. Each ``feed(_:ended:)``
/// is handled as one read of the client's socket would be, by the loop's own read, parse,
/// delivery and control-frame code, without a socket write and `recv` in between. What the
/// client writes (its HELLO, PINGs) goes to its socket, one end of a socket pair whose
/// other end is ``peer``.
///
/// The client has sent its HELLO when this returns and is greeting: a fed HELLO opens it.
/// Its one stream receives `typeIDs` from the start, without the SUBSCRIBE round trip.
/// Consume ``stream`` from a task while feeding: a full stream pauses reading until its
/// consumer has caught up and the loop ran its request (``step()``), as a client's does.
/// Dropping it closes the client as dropping a ``MyceliumClient`` does, and ``peer``.
///
/// Public to the `Fuzzing` SPI only (`@_spi(Fuzzing) import MyceliumKit`).
///
/// ```swift
/// let client = try FedClient(subscribingTo: [1001], pool: pool)
/// bytes.withUnsafeBytes { _ = client.feed($0) }   // parsed and queued on client.stream now
/// ```
@_spi(Fuzzing) public final class FedClient {
    /// The other end of the client's socket: what the client wrote arrives here.
    public let peer: Int32
    /// The stream of the subscribed types.
    public let stream: MessageStream
    private let loop: ClientLoop

    /// A client of `pool` (with `options`) whose stream receives `typeIDs`.
    ///
    /// - Throws: ``EngineError`` when the socket pair or the loop's descriptors cannot be made.
    public init(subscribingTo typeIDs: [UInt16], pool: any PoolBackend, options: MyceliumClient.Options = .init())
        throws(EngineError)
    {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Socket.streamFlags, 0, &fds) == 0 else {
            throw EngineError("socketpair for a fed client", code: errno)
        }
        do {
            loop = try ClientLoop(
                address: .unix(path: "socketpair"), peerName: "fed", digest: Hello.uncheckedDigest, token: nil,
                pool: pool, options: options)
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        peer = fds[1]
        let queue = loop.makeStreamQueue()
        stream = MessageStream(typeIDs: typeIDs, queue: queue)
        loop.state.pointee.fd = fds[0]
        loop.addRoute(to: .stream(queue), typeIDs: typeIDs)
        loop.greet()
    }

    deinit {
        loop.shutDown(flushingFor: nil)
        step()
        close(peer)
    }

    /// Hands `bytes` to the client as the next bytes its socket brings, then the end of the
    /// stream when `ended`: read events, each followed by the loop's end of batch, until
    /// every byte is read, the connection has ended, or a full stream paused reading (then
    /// ``step()`` until ``isReadingPaused`` is `false`, and feed the rest). Returns the
    /// bytes read.
    public func feed(_ bytes: UnsafeRawBufferPointer, ended: Bool = false) -> Int {
        var source = MemorySource(bytes, ended: ended)
        // Every read takes at least one byte or the end: the bound is never reached.
        for _ in 0...bytes.count + 1 {
            guard !isClosed, !isReadingPaused, source.count > 0 || ended else { break }
            loop.readable(from: &source)
            loop.endOfBatch()
        }
        return bytes.count - source.count
    }

    /// One turn of the client's loop without waiting: it runs what other threads asked of
    /// it (a stream's consumer resuming reading, a close).
    public func step() {
        loop.eventLoop.step(loop)
    }

    /// Whether the connection has ended (lost, or closed for a protocol violation).
    public var isClosed: Bool { loop.state.pointee.phase == .closed }

    /// Whether a full stream has paused reading until its consumer catches up.
    public var isReadingPaused: Bool { loop.state.pointee.readPauses > 0 }
}
