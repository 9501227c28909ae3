public import Logging

/// A connection to a Mycelium broker over TCP or a Unix socket, with async/await calls.
///
/// The client runs its connection on its own event-loop thread (the kit's epoll engine):
/// no call blocks a cooperative thread, and every I/O buffer comes from its ``pool``.
///
/// ```swift
/// let client = try await MyceliumClient.connect(to: .tcp(host: "127.0.0.1", port: 7800), name: "pricer")
/// let trades = try await client.subscribe([1101])
/// try await client.publish(typeID: 1011, payload: bytes)
/// for try await message in trades { handle(message.payload) }
/// try await client.close()
/// ```
///
/// ERROR frames about what the client sent come back as ``MyceliumClientError/broker(_:)``:
/// from ``subscribe(_:)`` and ``unsubscribe(_:)`` for their own frames, and from the next
/// ``flush()`` for data frames (a publish returns once its frame is queued).
public final class MyceliumClient: Sendable {
    /// Limits of one client.
    public struct Options: Sendable {
        /// Bytes of published frames the client holds unwritten before ``publish(typeID:payload:)``
        /// suspends (a frame larger than this waits until nothing is pending). Default 1 MiB.
        public var maxPendingBytes = 1 << 20
        /// Unread messages a stream holds before the client stops reading from the broker
        /// until that stream's consumer catches up (the read that fills it is handed over
        /// whole, so a stream may hold up to one ``bufferSize`` of frames more). Default 1,024.
        public var streamCapacity = 1024
        /// Bytes of the receive buffer and of each output chunk (taken from the pool); at
        /// least 8 KiB, so that any control frame fits. Default 64 KiB.
        ///
        /// A read whose frames for a stream fill at least half of the receive buffer is handed
        /// to that stream as it is, its messages views of it (no copy per message; the buffer
        /// returns to the pool once the last of them is passed); a smaller read's frames are
        /// copied each into a buffer of its own. Either way a stream's waiting messages hold
        /// at most about twice their bytes.
        public var bufferSize = 64 << 10
        /// The largest payload the client accepts from the broker, in bytes: a data frame
        /// announcing more is a protocol violation that ends the connection, before any
        /// memory is taken for it (a frame larger than ``bufferSize`` is read into a buffer
        /// of its own size). Default 4 MiB, the broker's default `maxPayload`; raise it to
        /// match a broker that allows larger frames.
        public var maxPayload = 4 << 20
        /// How long ``ping()``, ``stats()``, ``flush()``, ``subscribe(_:)`` and
        /// ``unsubscribe(_:)`` wait for the broker's answer before they throw
        /// ``MyceliumClientError/timedOut(request:after:)``; `nil` (the default) waits until
        /// the answer comes, the connection is lost, or the calling task is cancelled.
        ///
        /// Answers are read in order behind the messages before them, so a stream whose
        /// consumer lags past ``streamCapacity`` delays them too. At least 1 ms.
        public var requestTimeout: Duration?
        /// Where the client logs: the connection's end (debug when closed, warning when lost
        /// or refused) and ERROR frames from the broker (debug). Nothing is logged per
        /// message. Default: a logger labelled `mycelium.client` that discards everything.
        public var logger = Logger(label: "mycelium.client", factory: { _ in SwiftLogNoOpLogHandler() })

        /// The defaults.
        public init() {}
    }

    /// The broker's address.
    public let address: SocketAddress
    /// Where the client's buffers come from: received messages, output chunks, and buffers
    /// you fill for ``publish(typeID:buffer:)``.
    public let pool: any PoolBackend
    let loop: ClientLoop

    /// Payloads up to this many bytes are copied into an output chunk; larger ones into
    /// their own pooled buffer, written by reference.
    private static let copyThreshold = 512

    private init(loop: ClientLoop) {
        self.loop = loop
        address = loop.address
        pool = loop.pool
    }

    deinit {
        loop.shutDown(flushingFor: nil)
    }

    /// Connects, sends HELLO (protocol 1, `digest` or all zeros, `name`, `token`) and waits
    /// for the broker's HELLO.
    ///
    /// - Parameters:
    ///   - address: `.tcp(host:port:)` (an IP literal or a host name) or `.unix(path:)`.
    ///   - name: the peer name the broker logs.
    ///   - digest: the 32-byte contract digest to check against the broker's; `nil` skips
    ///     the check.
    ///   - token: the access token for a broker with access control (16-1024 bytes of text
    ///     without NUL); `nil` sends none. A broker without access control ignores it.
    ///   - pool: the pool for every buffer; `nil` uses a ``SystemPool`` (a heap buffer each).
    ///   - options: limits.
    /// - Throws: ``MyceliumClientError/connectFailed(address:error:)`` when nothing answers,
    ///   ``MyceliumClientError/broker(_:)`` with ``WireErrorCode/digestMismatch`` when the
    ///   digests differ, with ``WireErrorCode/notAuthorized`` when the broker requires a
    ///   token and `token` is missing or matches no user; ``MyceliumClientError/invalidArgument(_:)``
    ///   for a digest that is not 32 bytes, a token out of range, a name with NUL beside a
    ///   token, or options out of range; ``MyceliumClientError/connectionLost(reason:brokerError:)``
    ///   when the task is cancelled before the broker answered.
    public static func connect(
        to address: SocketAddress, name: String, digest: [UInt8]? = nil, token: String? = nil,
        pool: (any PoolBackend)? = nil, options: Options = Options()
    ) async throws -> MyceliumClient {
        if let token {
            let length = token.utf8.count
            guard length >= Hello.minTokenByteCount && length <= Hello.maxTokenByteCount else {
                throw MyceliumClientError.invalidArgument(
                    "an access token has \(Hello.minTokenByteCount)-\(Hello.maxTokenByteCount) bytes, this one has \(length); use the token the broker's auth file was made for"
                )
            }
            guard !token.utf8.contains(0), !name.utf8.contains(0) else {
                throw MyceliumClientError.invalidArgument(
                    "with an access token, neither the token nor the peer name may contain a NUL byte")
            }
        }
        if let digest, digest.count != Hello.digestByteCount {
            throw MyceliumClientError.invalidArgument(
                "a contract digest has \(Hello.digestByteCount) bytes, this one has \(digest.count); pass the catalog's SHA-256 digest or nil"
            )
        }
        guard options.maxPendingBytes >= 1, options.streamCapacity >= 1, options.bufferSize >= 8 << 10,
            options.maxPayload >= 1 && options.maxPayload <= Int(UInt32.max),
            options.requestTimeout.map({ $0 >= .milliseconds(1) }) ?? true
        else {
            throw MyceliumClientError.invalidArgument(
                "client options out of range (maxPendingBytes \(options.maxPendingBytes) must be >= 1, streamCapacity \(options.streamCapacity) >= 1, bufferSize \(options.bufferSize) >= 8192, maxPayload \(options.maxPayload) 1 to 4 GiB, requestTimeout \(options.requestTimeout.map { "\($0)" } ?? "nil") nil or >= 1 ms)"
            )
        }
        let loop: ClientLoop
        do {
            loop = try ClientLoop(
                address: address, peerName: name, digest: digest ?? Hello.uncheckedDigest, token: token,
                pool: pool ?? SystemPool(configuration: PoolConfiguration(plan: SizeClassPlan(classes: []))),
                options: options)
            try loop.startThread()
        } catch {
            throw MyceliumClientError.connectFailed(address: address.description, error: error)
        }
        let client = MyceliumClient(loop: loop)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if let error = loop.submit({ loop.connect(continuation) }) { continuation.resume(throwing: error) }
            }
        } onCancel: {
            _ = loop.submit { loop.cancelConnect() }
        }
        return client
    }

    /// Subscribes to `typeIDs` and returns their messages as a stream, once the broker has
    /// confirmed the subscription (a PING after SUBSCRIBE came back): every message published
    /// after this returns is on the stream.
    ///
    /// Several streams may receive the same type; each gets every message.
    ///
    /// - Throws: ``MyceliumClientError/broker(_:)`` with ``WireErrorCode/unknownTypeID`` when
    ///   a type is not in the broker's catalog, or ``WireErrorCode/tooManySubscriptions``
    ///   (nothing is subscribed then); ``MyceliumClientError/invalidArgument(_:)`` for an
    ///   empty list or an id below 1000; ``MyceliumClientError/timedOut(request:after:)``
    ///   past ``Options/requestTimeout``, or `CancellationError` when the task is cancelled
    ///   (the client then unsubscribes what no other stream receives); a connection error.
    public func subscribe(_ typeIDs: [UInt16]) async throws -> MessageStream {
        guard !typeIDs.isEmpty else {
            throw MyceliumClientError.invalidArgument("subscribe needs at least one type id")
        }
        try Self.checkDataType(typeIDs.min() ?? 0)
        let queue = loop.makeStreamQueue()
        try await subscribe(.stream(queue), typeIDs: typeIDs)
        return MessageStream(typeIDs: typeIDs, queue: queue)
    }

    /// Subscribes to `typeIDs` with `handler`, which the client's thread calls for every
    /// message of those types as it reads them (see ``MessageHandler``); returns once the
    /// broker has confirmed the subscription: every message published after this returns
    /// reaches the handler. The handler may be called before this returns.
    ///
    /// ```swift
    /// let counter = TradeCounter()
    /// try await client.subscribe([Trade.typeID], handler: counter)
    /// ...
    /// try await client.unsubscribe(handler: counter)
    /// ```
    ///
    /// - Throws: as ``subscribe(_:)``; ``MyceliumClientError/invalidArgument(_:)`` also when
    ///   `handler` is subscribed on this client already. Unless it threw
    ///   `invalidArgument`, the handler's ``MessageHandler/subscriptionEnded(error:)`` is
    ///   called once when the subscription ends, also when this throws.
    public func subscribe(_ typeIDs: [UInt16], handler: some MessageHandler) async throws {
        guard !typeIDs.isEmpty else {
            throw MyceliumClientError.invalidArgument("subscribe needs at least one type id")
        }
        try Self.checkDataType(typeIDs.min() ?? 0)
        try await subscribe(.handler(handler), typeIDs: typeIDs)
    }

    private func subscribe(_ target: SubscriptionRoute.Target, typeIDs: [UInt16]) async throws {
        let loop = self.loop
        try await request { token, continuation in
            loop.subscribe(target, typeIDs: typeIDs, token: token, continuation)
        }
    }

    /// Ends `stream` (it returns `nil` after the messages it holds) and unsubscribes from
    /// the types no other stream of this client receives.
    ///
    /// - Throws: ``MyceliumClientError/broker(_:)`` when the broker refuses the UNSUBSCRIBE;
    ///   ``MyceliumClientError/timedOut(request:after:)``; `CancellationError` (the stream
    ///   has ended all the same); a connection error.
    public func unsubscribe(_ stream: MessageStream) async throws {
        try await unsubscribe(.stream(stream.queue))
    }

    /// Ends `handler`'s subscription (its ``MessageHandler/subscriptionEnded(error:)`` is
    /// called with `nil`, after which it receives nothing) and unsubscribes from the types no
    /// other stream or handler of this client receives. Does nothing for a handler that is
    /// not subscribed.
    ///
    /// - Throws: as ``unsubscribe(_:)``.
    public func unsubscribe(handler: some MessageHandler) async throws {
        try await unsubscribe(.handler(handler))
    }

    private func unsubscribe(_ target: SubscriptionRoute.Target) async throws {
        let loop = self.loop
        try await request { token, continuation in
            loop.unsubscribe(target, token: token, continuation)
        }
    }

    /// Publishes a data frame with a copy of `payload`; returns once it is queued for
    /// writing, suspending first while ``Options/maxPendingBytes`` are pending.
    ///
    /// An ERROR the broker sends about the frame (an unknown type, a payload above the
    /// type's maximum) is thrown by the next ``flush()``.
    ///
    /// - Throws: ``MyceliumClientError/invalidArgument(_:)`` for a type id below 1000;
    ///   a connection error; `CancellationError` when cancelled while waiting.
    public func publish(typeID: UInt16, payload: [UInt8]) async throws {
        try await publish(typeID: typeID, byteCount: payload.count) { destination in
            payload.withUnsafeBytes { destination.copyMemory(from: $0) }
        }
    }

    /// Publishes a frame of `byteCount` payload bytes that `fill` writes in place: into the
    /// frame in an output chunk up to ``copyThreshold`` bytes, else into a pooled buffer of
    /// its own, written by reference.
    @usableFromInline
    func publish(
        typeID: UInt16, byteCount: Int, fill: (UnsafeMutableRawBufferPointer) -> Void
    ) async throws {
        try Self.checkFrame(typeID: typeID, length: byteCount)
        let header = FrameHeader(typeID: typeID, length: UInt32(byteCount))
        if byteCount <= Self.copyThreshold {
            try await enqueue(byteCount: FrameHeader.byteCount + byteCount) { box throws(PoolError) in
                try withUnsafeTemporaryAllocation(byteCount: FrameHeader.byteCount + byteCount, alignment: 8) {
                    frame throws(PoolError) in
                    header.write(to: frame.baseAddress!)
                    fill(UnsafeMutableRawBufferPointer(rebasing: frame[FrameHeader.byteCount...]))
                    try box.queue.appendFrames(
                        frame.baseAddress!, byteCount: frame.count, frameSize: frame.count, chunkSize: loop.options.bufferSize,
                        pool: pool)
                }
                return true
            }
        } else {
            var buffer: PooledBuffer
            do {
                buffer = try pool.acquire(byteCount: byteCount)
            } catch {
                throw MyceliumClientError.pool(error)
            }
            buffer.withUnsafeMutableBytes { fill(UnsafeMutableRawBufferPointer(rebasing: $0[..<byteCount])) }
            buffer.count = byteCount
            try await publish(typeID: typeID, buffer: buffer)
        }
    }

    /// Publishes the bytes of `buffer` (its ``PooledBuffer/count``) as a data frame without
    /// copying them: the buffer is written from where it is and returns to its pool once
    /// written. Take it from ``pool``; a buffer of another pool keeps that pool alive until written.
    ///
    /// ```swift
    /// var buffer = try client.pool.acquire(byteCount: 1024)
    /// buffer.withUnsafeMutableBytes { fill($0) }
    /// buffer.count = 1024
    /// try await client.publish(typeID: 1001, buffer: buffer)
    /// ```
    ///
    /// - Throws: as ``publish(typeID:payload:)``.
    public func publish(typeID: UInt16, buffer: consuming PooledBuffer) async throws {
        try Self.checkFrame(typeID: typeID, length: buffer.count)
        let header = FrameHeader(typeID: typeID, length: UInt32(buffer.count))
        let frame = buffer.share()
        // Queued output is returned when the client closes, while its pool lives: a buffer
        // of another pool must keep that pool alive itself.
        if !frame.isFrom(pool) { frame.keepPoolAlive() }
        var shared = Optional(frame)
        try await enqueue(byteCount: FrameHeader.byteCount + Int(header.length)) { box throws(PoolError) in
            if let frame = shared.take() { box.queue.appendShared(header, frame) }
            return true
        }
    }

    /// Publishes the whole data frames in `frames` (its ``PooledBuffer/count`` bytes, header
    /// and payload each, one after another; the caller checked their type ids and lengths)
    /// without copying them: one queueing for the lot, written straight to the socket from
    /// the calling thread when nothing is queued before it (``Outbox/sendOrAppend(_:)``: no
    /// hand-over to the loop unless the socket is full), else queued by reference; the
    /// buffer returns to its pool once written. Returns once the frames are written or
    /// queued, as ``publish(typeID:payload:)`` does. For the load generator, which sends runs
    /// of small frames; take the buffer from ``pool``.
    ///
    /// - Throws: as ``publish(typeID:payload:)``.
    package func publish(encodedFrames frames: consuming PooledBuffer) async throws {
        precondition(frames.isFrom(pool), "a run of frames is published from the client's pool")
        var run = Optional(frames)
        try await enqueue(byteCount: run?.count ?? 0) { box in
            guard let frames = run.take() else { return false }
            return box.sendOrAppend(frames)
        }
    }

    /// Waits until the broker has handled everything this client sent before, then throws
    /// the oldest ERROR it reported about a data frame since the last `flush()`, if any.
    ///
    /// - Throws: ``MyceliumClientError/broker(_:)`` (e.g. ``WireErrorCode/unknownTypeID``
    ///   for a publish of a type the broker does not route);
    ///   ``MyceliumClientError/timedOut(request:after:)``; `CancellationError`; a
    ///   connection error.
    public func flush() async throws {
        let loop = self.loop
        try await request { token, continuation in loop.flushRoundTrip(token: token, continuation) }
    }

    /// Sends a PING and returns the time until its PONG came back.
    ///
    /// - Throws: ``MyceliumClientError/timedOut(request:after:)`` past
    ///   ``Options/requestTimeout``; `CancellationError` when the task is cancelled; a
    ///   connection error.
    public func ping() async throws -> Duration {
        let loop = self.loop
        return try await request { token, continuation in loop.ping(token: token, continuation) }
    }

    /// Asks the broker for its counters (STATS).
    ///
    /// - Throws: ``MyceliumClientError/protocolViolation(_:)`` when the document cannot be
    ///   read; ``MyceliumClientError/timedOut(request:after:)``; `CancellationError`; a
    ///   connection error.
    public func stats() async throws -> BrokerStats {
        let loop = self.loop
        let json = try await request { token, continuation in loop.requestDocument(.statsRequest, token: token, continuation) }
        do {
            return try BrokerStats(jsonDocument: json)
        } catch {
            throw MyceliumClientError.protocolViolation("its STATS document cannot be read (\(error)): \(json.prefix(200))")
        }
    }

    /// Asks the broker for its open connections (CONNECTIONS), this one included: each
    /// with its name, peer, age, idle time, subscriptions, counts and pending bytes.
    ///
    /// ```swift
    /// let stuck = try await client.connections().connections.filter { $0.pendingBytes > 1 << 20 }
    /// ```
    ///
    /// - Throws: ``MyceliumClientError/protocolViolation(_:)`` when the document cannot be
    ///   read; ``MyceliumClientError/timedOut(request:after:)`` (also from a broker that
    ///   predates CONNECTIONS: it answers ERROR 2, which carries no request to match);
    ///   `CancellationError`; a connection error.
    public func connections() async throws -> BrokerConnections {
        let loop = self.loop
        let json = try await request { token, continuation in
            loop.requestDocument(.connectionsRequest, token: token, continuation)
        }
        do {
            return try BrokerConnections(jsonDocument: json)
        } catch {
            throw MyceliumClientError.protocolViolation(
                "its CONNECTIONS document cannot be read (\(error)): \(json.prefix(200))")
        }
    }

    /// Closes the connection once the broker has handled every frame published before
    /// (as ``flush()`` waits), waiting at most `timeout`. Streams end with
    /// ``MyceliumClientError/closed`` at once, after the messages they hold; calls still
    /// waiting, and publishes from now on, fail with it. Nothing is waited for when every
    /// published frame was confirmed already (e.g. a client that only subscribes).
    ///
    /// The connection is closed whether or not this throws; a second call returns at once.
    ///
    /// ```swift
    /// for trade in trades { try await client.publish(typeID: 1101, payload: trade) }
    /// try await client.close()   // every trade reached the broker, or this throws
    /// ```
    ///
    /// - Parameter timeout: how long the broker may take to confirm; the frames not written
    ///   by then are dropped. Default 5 s.
    /// - Throws: ``MyceliumClientError/timedOut(request:after:)`` when the broker did not
    ///   confirm in time, the connection error when it was lost before it did (both mean
    ///   published frames may be lost), or ``MyceliumClientError/broker(_:)`` with an ERROR
    ///   about a data frame that no ``flush()`` reported yet.
    public func close(timeout: Duration = .seconds(5)) async throws {
        let loop = self.loop
        let error = await withCheckedContinuation { (continuation: CheckedContinuation<MyceliumClientError?, Never>) in
            let started = loop.shutDown(flushingFor: max(timeout, .zero)) { continuation.resume(returning: $0) }
            if !started { continuation.resume(returning: nil) }
        }
        if let error { throw error }
    }

    // MARK: Requests

    /// Runs one request: `start`, on the loop, registers it under `token` and sends it.
    /// Cancelling the calling task ends the wait with `CancellationError`; the loop then
    /// drops the late reply (replies are matched by PING token, STATS by their order).
    private func request<Value: Sendable>(
        _ start: @escaping @Sendable (UInt64, CheckedContinuation<Value, any Error>) -> Void
    ) async throws -> Value {
        let loop = self.loop
        let token = loop.takeToken()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                if let error = loop.submitRequest({ start(token, continuation) }) { continuation.resume(throwing: error) }
            }
        } onCancel: {
            _ = loop.submit { loop.abandon(token, with: CancellationError()) }
        }
    }

    // MARK: Publishing

    private static func checkFrame(typeID: UInt16, length: Int) throws {
        try checkDataType(typeID)
        guard length <= UInt32.max else {
            throw MyceliumClientError.invalidArgument(
                "a payload of \(length) bytes does not fit a frame's u32 length; split it")
        }
    }

    private static func checkDataType(_ typeID: UInt16) throws {
        guard typeID >= ControlFrameType.firstDataTypeID else {
            throw MyceliumClientError.invalidArgument(
                "type id \(typeID) is reserved for the framework; data type ids are \(ControlFrameType.firstDataTypeID)-65535"
            )
        }
    }

    private enum Attempt {
        case queued(wake: Bool)
        case failed(MyceliumClientError)
        case full
    }

    /// Queues a frame of `byteCount` bytes with `append` once the pending output has room,
    /// and wakes the loop if it is not already woken and `append` left it something to write
    /// (returned `true`).
    private func enqueue(byteCount: Int, _ append: (inout Outbox) throws(PoolError) -> Bool) async throws {
        let limit = loop.options.maxPendingBytes
        while true {
            let attempt = loop.outbox.withLock { box -> Attempt in
                if let failure = box.failure { return .failed(failure) }
                if box.isShutDown { return .failed(.closed) }
                guard box.admits(byteCount, limit: limit) else { return .full }
                let queued: Bool
                do throws(PoolError) {
                    queued = try append(&box)
                } catch {
                    return .failed(.pool(error))
                }
                box.published &+= 1
                if !queued || box.wakeRequested { return .queued(wake: false) }
                box.wakeRequested = true
                return .queued(wake: true)
            }
            switch attempt {
            case .queued(let wake):
                if wake { loop.eventLoop.wakeUp() }
                return
            case .failed(let error):
                throw error
            case .full:
                if case .failed(let error) = await waitForRoom(byteCount: byteCount, limit: limit) { throw error }
                try Task.checkCancellation()
            }
        }
    }

    /// Suspends until the loop has written enough for `byteCount` more bytes (or failed).
    private func waitForRoom(byteCount: Int, limit: Int) async -> Outbox.Wake {
        let loop = self.loop
        let id = loop.outbox.withLock { box in
            box.nextWaiterID &+= 1
            return box.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Outbox.Wake, Never>) in
                let immediate = loop.outbox.withLock { box -> Outbox.Wake? in
                    if let failure = box.failure { return .failed(failure) }
                    if box.isShutDown { return .failed(.closed) }
                    if box.admits(byteCount, limit: limit) || Task.isCancelled { return .retry }
                    box.waiters.append((id, continuation))
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = loop.outbox.withLock { box -> UnsafeContinuation<Outbox.Wake, Never>? in
                guard let index = box.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return box.waiters.remove(at: index).continuation
            }
            waiter?.resume(returning: .retry)
        }
    }
}
