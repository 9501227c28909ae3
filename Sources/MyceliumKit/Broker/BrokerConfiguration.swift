public import Glibc
public import Logging

/// How a ``Broker`` is set up: where it listens, which message types it routes, its pool
/// and its limits. A value: build it in code, or let `mycelium serve` build it from flags.
///
/// ```swift
/// var configuration = BrokerConfiguration(
///     messageTypes: try MessageTypeTable([.init(id: 1001, name: "BenchFrame", maxPayload: 1024)]),
///     pool: .named("arena", in: PoolRegistry.builtIn))
/// configuration.listeners = [.tcp(host: "127.0.0.1", port: 0)]
/// configuration.loops = 2
/// ```
public struct BrokerConfiguration: Sendable {
    /// Where the broker's buffers come from.
    public enum PoolSource: Sendable {
        /// A pool made by name from a registry, for the broker's plan (the message types'
        /// classes plus the engine's), with ``BrokerConfiguration/poolMemoryBudget``.
        case named(String, in: PoolRegistry)
        /// A pool made by the caller; its plan should hold the engine's class
        /// (``BrokerConfiguration/engineBufferSize``), or those buffers are heap misses.
        case instance(any PoolBackend)
    }

    /// What happens to a subscriber whose pending output would pass ``maxPending``.
    public enum SlowConsumerPolicy: String, Sendable, CaseIterable {
        /// Send ERROR 6 if the socket takes it, close the connection, count it.
        case disconnect
        /// Drop the subscriber's oldest queued frames to make room, count them.
        case dropOldest = "drop-oldest"
    }

    /// The addresses to listen on (TCP hosts may be names such as `localhost`); none makes
    /// an in-process-only broker.
    public var listeners: [SocketAddress] = []
    /// The data message types the broker routes, with their maximum payloads.
    public var messageTypes: MessageTypeTable
    /// The 32-byte contract digest HELLO is checked against; `nil` accepts any digest.
    public var digest: [UInt8]?
    /// Who may connect and what each user may publish and subscribe to; `nil` (the default)
    /// lets every connection do everything. See ``Authorization``.
    public var authorization: Authorization?
    /// Where buffers come from.
    public var pool: PoolSource
    /// The memory budget of a pool made by name, in bytes.
    public var poolMemoryBudget = PoolConfiguration.defaultMemoryBudget
    /// Whether a pool made by name zeroes a buffer's used bytes when it comes back
    /// (``PoolConfiguration/zeroesOnRelease``); a pool instance keeps its own configuration.
    ///
    /// Off by default: the broker reads no byte of a pooled buffer that it did not write in
    /// the same use (an output chunk sends the frames copied into it, a receive buffer is
    /// parsed up to what was read), so zeroing protects nothing it sends, and it cost about a
    /// tenth of the broker's CPU when fanning 512 B-4 KiB frames out to four subscribers: the
    /// `memset` and the slower copy into the chunk it had just zeroed (Architecture.md, "Memory").
    public var zeroesReturnedBuffers = false
    /// Event loops (threads); connections are spread over them.
    public var loops = 1
    /// The largest data frame payload accepted, in bytes; longer frames get ERROR 1.
    public var maxPayload = 4 << 20
    /// The largest control frame payload accepted, in bytes.
    public var maxControlPayload = 4 << 10
    /// Bytes a subscriber may have queued before the slow-consumer policy applies.
    public var maxPending = 8 << 20
    /// What happens past ``maxPending``.
    public var slowConsumerPolicy = SlowConsumerPolicy.disconnect
    /// Connections served at once; more get ERROR 8 and are closed.
    public var maxConnections = 10_000
    /// Type ids one connection may subscribe to.
    public var maxSubscriptions = 1_024
    /// How long a stop may spend flushing queued output.
    public var drainTimeout = Duration.seconds(5)
    /// How often each event loop asks the pool to give back its idle regions (``PoolBackend/trim()``),
    /// so that the memory a burst took returns; `.zero` never trims.
    public var trimInterval = Duration.seconds(10)
    /// The size of output chunks (a subscriber's queued frames are copied into them), in
    /// bytes: one of the engine's pool classes.
    public var engineBufferSize = 64 << 10
    /// The size of each event loop's receive buffer, in bytes: one `recv` reads at most this
    /// much. A connection borrows the buffer while its input is parsed (a partial frame left
    /// at the end moves to a buffer of its own size), so it costs one per loop, not one per
    /// connection. The default, 256 KiB, reads what a fast publisher has waiting in one
    /// system call: with 64 KiB buffers the broker made five `recv`s per event where the C
    /// reference broker makes one, and used 1.3x its CPU per message at 1 KiB over TCP
    /// (Architecture.md, "Reading").
    public var receiveBufferSize = 256 << 10
    /// Frames with payloads up to this many bytes are copied into each subscriber's output
    /// chunk; larger ones are read into their own buffer and queued by reference. At most
    /// ``receiveBufferSize`` minus the 6-byte header (a copied frame is parsed in the receive
    /// buffer). The default, 16 KiB, was measured: copying costs less CPU per delivered
    /// message than sharing up to about 16 KiB (Architecture.md, "Frames above the copy limit").
    public var copyThreshold = 16 << 10
    /// The NATS cluster the broker shares its messages through; `nil` (the default) keeps
    /// them on this machine. See ``UplinkConfiguration``.
    public var uplink: UplinkConfiguration?
    /// The permission bits of Unix socket files.
    public var unixSocketMode: mode_t = 0o600
    /// Where the broker logs: start and stop (info), connections it refuses or drops and the
    /// ERROR frames it sends (warning), accept failures (error), connection closes (debug).
    /// Nothing is logged per message. Default: ``defaultLogger``, which discards everything;
    /// pass the application's logger to see these lines.
    public var logger = Self.defaultLogger

    /// A logger labelled `mycelium.broker` that discards everything.
    public static var defaultLogger: Logger {
        Logger(label: "mycelium.broker", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// Creates a configuration with Architecture.md's defaults and no listeners.
    public init(messageTypes: MessageTypeTable, pool: PoolSource) {
        self.messageTypes = messageTypes
        self.pool = pool
    }

    /// The engine's classes: output chunks, 16 per region, and receive buffers, one per
    /// region (one per loop is in use; a paused connection keeps the one it was reading into).
    public var engineClasses: [SizeClassPlan.SizeClass] {
        let chunks = SizeClassPlan.SizeClass(size: engineBufferSize, capacity: 16)
        guard receiveBufferSize != engineBufferSize else { return [chunks] }
        return [chunks, SizeClassPlan.SizeClass(size: receiveBufferSize, capacity: 1)]
    }

    /// The plan a pool made by name gets: the message types' classes plus the engine's.
    public var sizeClassPlan: SizeClassPlan {
        messageTypes.sizeClassPlan.adding(engineClasses)
    }

    /// Checks the limits, naming the first that is out of range.
    func validate() throws(BrokerError) {
        func check(_ ok: Bool, _ message: String) throws(BrokerError) {
            if !ok { throw BrokerError.invalidConfiguration(message) }
        }
        try check(loops >= 1 && loops <= 64, "loops must be 1-64, got \(loops)")
        try check(maxPayload >= 1 && maxPayload <= Int(UInt32.max), "max payload must be 1 B to 4 GiB, got \(maxPayload)")
        try check(maxControlPayload >= 64, "control-frame limit must be at least 64 bytes, got \(maxControlPayload)")
        try check(maxPending >= 1, "max pending must be positive, got \(maxPending)")
        try check(maxConnections >= 1, "max connections must be positive, got \(maxConnections)")
        try check(maxSubscriptions >= 1, "max subscriptions must be positive, got \(maxSubscriptions)")
        try check(drainTimeout >= .zero, "drain timeout must not be negative")
        try check(trimInterval >= .zero, "trim interval must not be negative")
        try check(engineBufferSize >= 4096, "engine buffer size \(engineBufferSize) must be at least 4 KiB")
        try check(
            receiveBufferSize >= 4096 && receiveBufferSize >= maxControlPayload + FrameHeader.byteCount,
            "receive buffer size \(receiveBufferSize) must be at least 4 KiB and hold a whole control frame")
        let largestCopy = receiveBufferSize - FrameHeader.byteCount
        try check(
            copyThreshold >= 0 && copyThreshold <= largestCopy,
            "copy threshold must be 0 to \(largestCopy) bytes (a copied frame is parsed in the \(receiveBufferSize)-byte receive buffer), got \(copyThreshold)"
        )
        if let digest {
            try check(digest.count == Hello.digestByteCount, "a digest has 32 bytes, got \(digest.count)")
        }
        try authorization?.validate(against: messageTypes)
        _ = try uplink?.validate(against: messageTypes)
    }
}
