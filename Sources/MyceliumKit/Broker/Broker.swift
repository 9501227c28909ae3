import Glibc
public import ServiceLifecycle
import Synchronization

/// A pub/sub broker: routes data frames by type id between the connections of its TCP and
/// Unix listeners, on its own epoll event loops, and its in-process subscribers and
/// publishers (``subscribe(_:bufferedMessages:)``, ``publish(typeID:buffer:)``), with every
/// buffer from its pool. A broker without listeners is in-process only: it starts no thread
/// and opens no file descriptor.
///
/// ```swift
/// var configuration = BrokerConfiguration(messageTypes: types, pool: .named("arena", in: .builtIn))
/// configuration.listeners = [.tcp(host: "127.0.0.1", port: 0), .unix(path: "/tmp/bus.sock")]
/// let broker = try Broker(configuration: configuration)
/// let bound = try broker.start()          // port 0 resolved
/// …
/// let summary = await broker.stop()       // ERROR 8 to everyone, drain, close
/// ```
///
/// A started broker runs until ``stop()``: its loop threads hold it, so stop it before
/// dropping it.
///
/// It is also a swift-service-lifecycle `Service`: ``run()`` starts it, serves until graceful
/// shutdown or cancellation, and drains, so a `ServiceGroup` can run it among other services.
///
/// ```swift
/// let group = ServiceGroup(services: [broker], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// let summary = await broker.stop()       // the run's summary
/// ```
public final class Broker: Service, Sendable {
    /// The configuration the broker was made with.
    public let configuration: BrokerConfiguration
    /// The pool every buffer comes from.
    public let pool: any PoolBackend
    let core: BrokerCore
    private let lifecycle = Lock(Lifecycle())
    /// What ``reportMetrics()`` reported last, to report counters' growth.
    let reported = Lock(BrokerMetrics?.none)

    typealias Lifecycle = BrokerLifecycle<Running, CheckedContinuation<BrokerLifecycleTurn<Running>, Never>>

    /// What a running broker holds; only the stopping caller touches it.
    struct Running: @unchecked Sendable {
        let loops: [BrokerLoop]
        let threads: [LoopThread]
        let unixPaths: [String]
        /// The NATS uplink and its thread, when the broker has one.
        let uplink: (uplink: Uplink, thread: LoopThread)?
    }

    /// Makes the pool and checks the limits; nothing listens until ``start()``.
    ///
    /// - Throws: ``BrokerError/invalidConfiguration(_:)`` naming a limit out of range,
    ///   ``BrokerError/pool(_:)`` when the pool cannot be made (an unknown name lists the
    ///   registered ones).
    public init(configuration: BrokerConfiguration) throws(BrokerError) {
        try configuration.validate()
        self.configuration = configuration
        switch configuration.pool {
        case .named(let name, let registry):
            let poolConfiguration = PoolConfiguration(
                plan: configuration.sizeClassPlan, memoryBudget: configuration.poolMemoryBudget,
                zeroesOnRelease: configuration.zeroesReturnedBuffers)
            do {
                pool = try registry.make(name, configuration: poolConfiguration)
            } catch {
                throw .pool(error)
            }
        case .instance(let instance):
            pool = instance
        }
        core = try BrokerCore(configuration: configuration, pool: pool)
    }

    /// Binds every listener, starts the loops, and returns the bound addresses in the
    /// configuration's order (port 0 resolved).
    ///
    /// A start that fails leaves the broker idle: fix the cause and start it again. A
    /// ``stop()`` called while it binds waits for the outcome, then stops the broker.
    ///
    /// - Throws: ``BrokerError/engine(_:)`` when a listener cannot be bound (address in use,
    ///   a host that does not resolve, an occupied Unix socket) — nothing is left listening then;
    ///   ``BrokerError/alreadyStarted`` when it runs, is starting, or has stopped.
    @discardableResult
    public func start() throws(BrokerError) -> [SocketAddress] {
        guard lifecycle.withLock({ $0.claimStart() }) == .claimed else { throw .alreadyStarted }
        return try bind(threaded: true)
    }

    /// ``start()`` without the loops' threads: the loops run on the caller's thread, one
    /// ``step()`` at a time, so that a fuzz target drives the broker's own accept, read,
    /// parse, routing and write paths with no thread between it and the broker, and can feed
    /// a connection's input from memory (``openFedConnection()``). An uplink still runs on
    /// its thread. ``stop()`` drains the loops on the calling thread.
    ///
    /// Public to the `Fuzzing` SPI only (`@_spi(Fuzzing) import MyceliumKit`).
    ///
    /// ```swift
    /// try broker.startStepped()
    /// client.send(frames)
    /// broker.step()        // the broker reads, routes and writes them
    /// ```
    ///
    /// - Throws: what ``start()`` throws.
    @_spi(Fuzzing) @discardableResult
    public func startStepped() throws(BrokerError) -> [SocketAddress] {
        guard lifecycle.withLock({ $0.claimStart() }) == .claimed else { throw .alreadyStarted }
        return try bind(threaded: false)
    }

    /// One turn of every loop of a broker started with ``startStepped()``, on the calling
    /// thread, without waiting: each handles the events ready now (accepts, reads, writes,
    /// frames other loops handed over) and ends its batch. Nothing happens when the broker
    /// is not running.
    @_spi(Fuzzing)
    public func step() {
        for loop in steppedLoops { loop.eventLoop.step(loop) }
    }

    /// The loops of a broker running stepped; none otherwise.
    var steppedLoops: [BrokerLoop] {
        lifecycle.withLock { lifecycle -> [BrokerLoop] in
            guard case .running(let running, _) = lifecycle.phase, running.threads.isEmpty else { return [] }
            return running.loops
        }
    }

    /// Starts the broker (unless ``start()`` did), serves until the service group's graceful
    /// shutdown, the task's cancellation or a ``stop()``, then stops it as ``stop()`` does.
    /// ``stop()`` returns the run's summary afterwards.
    ///
    /// - Throws: what ``start()`` throws; nothing once it serves.
    public func run() async throws(BrokerError) {
        switch lifecycle.withLock({ $0.claimStart() }) {
        case .claimed: _ = try bind(threaded: true)
        case .alreadyRunning: break
        case .unavailable: throw .alreadyStarted
        }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                _ = await withCheckedContinuation { (continuation: CheckedContinuation<BrokerLifecycleTurn<Running>, Never>) in
                    resume(lifecycle.withLock { $0.awaitShutdown(continuation) })
                }
            } onGracefulShutdown: {
                self.resume(self.lifecycle.withLock { $0.requestShutdown() })
            }
        } onCancel: {
            resume(lifecycle.withLock { $0.requestShutdown() })
        }
        await stop()
    }

    /// Binds and starts the loops for a claimed start, each on its own thread when
    /// `threaded` (else ``step()`` runs them); reports the outcome to the lifecycle.
    private func bind(threaded: Bool) throws(BrokerError) -> [SocketAddress] {
        var listeners: [(fd: Int32, isTCP: Bool)] = []
        var bound: [SocketAddress] = []
        var unixPaths: [String] = []
        var loops: [BrokerLoop] = []
        do {
            for address in configuration.listeners {
                switch address {
                case .tcp(let host, let port):
                    let listener = try Socket.listenTCP(host: host, port: port)
                    listeners.append((listener.fd, true))
                    bound.append(listener.address)
                case .unix(let path):
                    listeners.append((try Socket.listenUnix(path: path, mode: configuration.unixSocketMode), false))
                    unixPaths.append(path)
                    bound.append(address)
                }
            }
            // Loops exist for sockets; an in-process-only broker opens no descriptor.
            let loopCount = configuration.listeners.isEmpty ? 0 : configuration.loops
            for index in 0..<loopCount {
                loops.append(try BrokerLoop(index: index, core: core))
            }
            for listener in listeners { try loops[0].addListener(fd: listener.fd, isTCP: listener.isTCP) }
            let uplink = try core.uplink.map { (uplink) throws(EngineError) in
                try Uplink(
                    core: core, table: configuration.messageTypes, settings: uplink.settings, shared: uplink.shared,
                    counters: core.uplinkCounters.unsafelyUnwrapped)
            }
            // Before the threads start: loops reach each other (and the uplink) through the router.
            core.router.attach(loops, uplink: uplink)
            let uplinkThread = try uplink.map { (uplink) throws(EngineError) in
                try LoopThread(name: uplink.eventLoop.name) { uplink.eventLoop.run(uplink) }
            }
            var threads: [LoopThread] = []
            for loop in loops where threaded {
                threads.append(try LoopThread(name: loop.eventLoop.name) { loop.eventLoop.run(loop) })
            }
            configuration.logger.info(
                "broker started",
                metadata: [
                    "endpoints": "\(bound.map(\.description).joined(separator: " "))",
                    "pool": "\(pool.name)",
                    "classes": "\(pool.configuration.plan)",
                    "loops": "\(loopCount)",
                    "types": "\(configuration.messageTypes.entries.count)",
                    "access": "\(configuration.authorization.map { "\($0.users.count) users" } ?? "open")",
                    "uplink": "\(configuration.uplink.map { $0.servers.map(\.description).joined(separator: " ") } ?? "off")",
                ])
            if configuration.authorization == nil {
                for case .tcp(let host, let port) in bound where !Self.isLoopback(host) {
                    configuration.logger.warning(
                        "listening on a non-loopback address without access control: anyone who reaches it may publish and subscribe to everything; give the broker an authorization (mycelium serve --auth FILE)",
                        metadata: ["endpoint": "\(SocketAddress.tcp(host: host, port: port))"])
                }
            }
            let budget = pool.configuration.memoryBudget
            if pool.configuration.overflowPolicy == .fail && configuration.maxPending >= budget {
                configuration.logger.warning(
                    "a subscriber may queue as much as the pool's whole memory budget before it counts as slow: one that stops reading can take every buffer, and every publisher then waits until it is dropped; set maxPending (serve --max-pending) below the budget, or raise the budget",
                    metadata: ["max_pending": "\(configuration.maxPending)", "memory_budget": "\(budget)"])
            }
            let running = Running(
                loops: loops, threads: threads, unixPaths: unixPaths, uplink: uplink.map { ($0, uplinkThread.unsafelyUnwrapped) })
            resume(lifecycle.withLock { $0.startSucceeded(running) })
            return bound
        } catch {
            for listener in listeners { close(listener.fd) }
            for path in unixPaths { unlink(path) }
            core.router.detach()
            configuration.logger.error("broker could not start", metadata: ["error": "\(error)"])
            resume(lifecycle.withLock { $0.startFailed() })
            throw .engine(error)
        }
    }

    /// Stops the broker: stops accepting, sends ERROR 8 to every connection after what is
    /// queued for it, flushes for at most ``BrokerConfiguration/drainTimeout``, closes
    /// everything and returns the final counts.
    ///
    /// Every call gets the same summary: one caller drains, concurrent and later ones wait
    /// for it. A stop during ``start()`` waits for the binding to end first; a stop of a
    /// broker that never bound ends its in-process streams and reports no connections.
    @discardableResult
    public func stop() async -> BrokerSummary {
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<BrokerLifecycleTurn<Running>, Never>) in
            resume(lifecycle.withLock { $0.stop(continuation) })
        }
        switch turn {
        case .stopped(let summary):
            return summary
        case .stop(let running):
            let summary = await finish(running)
            resume(lifecycle.withLock { $0.stopFinished(summary) })
            return summary
        case .shutdownRequested:
            preconditionFailure("a stop is never resumed as run()")
        }
    }

    private func resume(_ resumptions: [Lifecycle.Resumption]) {
        for (waiter, turn) in resumptions { waiter.resume(returning: turn) }
    }

    private func finish(_ running: Running?) async -> BrokerSummary {
        core.router.stop()
        guard let running else {
            return BrokerSummary(stats: core.stats(), connectionsAtStop: 0, drained: true)
        }
        let connectionsAtStop = core.connectionCount.load(ordering: .relaxed)
        configuration.logger.info("broker stopping", metadata: ["connections": "\(connectionsAtStop)"])
        // The uplink first: it hands messages from NATS to the loops.
        if let (uplink, thread) = running.uplink {
            uplink.stop()
            await joinInBackground([thread])
        }
        let deadline = BrokerLoop.now() + core.limits.drainNanoseconds
        for loop in running.loops {
            loop.eventLoop.execute { loop.beginDrain(deadline: deadline) }
        }
        let threads = running.threads
        if !threads.isEmpty {
            await joinInBackground(threads)
        } else {
            // Started stepped: the drain runs here.
            for loop in running.loops { loop.eventLoop.run(loop) }
        }
        // Let go of first: a question put to every loop (LoopGathering) is then either
        // queued already, and answered here, or sees no loop.
        core.router.detach()
        for loop in running.loops { loop.eventLoop.runPendingTasks() }
        running.uplink?.uplink.eventLoop.runPendingTasks()
        let drained = running.loops.allSatisfy(\.drainedCleanly)
        for path in running.unixPaths { unlink(path) }
        for loop in running.loops { loop.releaseHandedOver() }
        running.uplink?.uplink.releaseAll()
        let summary = BrokerSummary(stats: core.stats(), connectionsAtStop: connectionsAtStop, drained: drained)
        configuration.logger.info("broker stopped", metadata: ["summary": "\(summary)"])
        return summary
    }

    /// Waits for the loop threads to end without blocking a task's thread.
    private func joinInBackground(_ threads: [LoopThread]) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            do {
                try LoopThread(name: "mycelium-stop") {
                    for thread in threads { thread.join() }
                    continuation.resume()
                }.detach()
            } catch {
                for thread in threads { thread.join() }
                continuation.resume()
            }
        }
        for thread in threads { thread.synchronizeWithEnd() }
    }

    /// The counters now: pool, connections, messages in and out, slow consumers, dropped
    /// frames (as the loops last published them, at most one event batch old).
    public func stats() -> BrokerStats {
        core.stats()
    }

    /// Every figure the broker keeps (``BrokerMetrics``): its totals as the loops last
    /// published them, and the bytes pending now, asked of each loop on its own thread.
    ///
    /// ```swift
    /// let metrics = await broker.metrics()
    /// ```
    public func metrics() async -> BrokerMetrics {
        await withCheckedContinuation { continuation in metrics { continuation.resume(returning: $0) } }
    }

    /// ``metrics()`` for a caller that is not async (the metrics endpoint's thread):
    /// `done` gets them on a loop's thread, or at once when the broker is not running.
    package func metrics(_ done: @escaping @Sendable (BrokerMetrics) -> Void) {
        let core = self.core
        LoopGathering.ask(
            core.router, { $0.pendingBytes() },
            done: { parts in done(core.metrics(pendingBytes: parts.reduce(0, +))) })
    }

    /// Whether `host` (an IP literal, or `localhost`) reaches only this machine.
    private static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
