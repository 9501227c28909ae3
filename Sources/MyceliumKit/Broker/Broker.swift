import Glibc
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
public final class Broker: Sendable {
    /// The configuration the broker was made with.
    public let configuration: BrokerConfiguration
    /// The pool every buffer comes from.
    public let pool: any PoolBackend
    let core: BrokerCore
    private let phase = Lock(Phase.idle)

    private enum Phase: @unchecked Sendable {
        case idle
        case running(Running)
        case stopping
        case stopped(BrokerSummary)
    }

    private struct Running {
        let loops: [BrokerLoop]
        let threads: [LoopThread]
        let unixPaths: [String]
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
                plan: configuration.sizeClassPlan, memoryBudget: configuration.poolMemoryBudget)
            do {
                pool = try registry.make(name, configuration: poolConfiguration)
            } catch {
                throw .pool(error)
            }
        case .instance(let instance):
            pool = instance
        }
        core = BrokerCore(configuration: configuration, pool: pool)
    }

    /// Binds every listener, starts the loops, and returns the bound addresses in the
    /// configuration's order (port 0 resolved).
    ///
    /// - Throws: ``BrokerError/engine(_:)`` when a listener cannot be bound (address in use,
    ///   not a literal, an occupied Unix socket) — nothing is left listening then;
    ///   ``BrokerError/alreadyStarted`` on a second call.
    @discardableResult
    public func start() throws(BrokerError) -> [ListenerAddress] {
        let claimed = phase.withLock { phase -> Bool in
            guard case .idle = phase else { return false }
            phase = .stopping
            return true
        }
        guard claimed else { throw .alreadyStarted }
        var listeners: [(fd: Int32, isTCP: Bool)] = []
        var bound: [ListenerAddress] = []
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
            // Before the threads start: loops reach each other through the router.
            core.router.attach(loops)
            var threads: [LoopThread] = []
            for loop in loops {
                threads.append(try LoopThread(name: loop.eventLoop.name) { loop.eventLoop.run(loop) })
            }
            let running = Running(loops: loops, threads: threads, unixPaths: unixPaths)
            phase.withLock { $0 = .running(running) }
            return bound
        } catch {
            for listener in listeners { close(listener.fd) }
            for path in unixPaths { unlink(path) }
            core.router.detach()
            phase.withLock { $0 = .idle }
            throw .engine(error)
        }
    }

    /// Stops the broker: stops accepting, sends ERROR 8 to every connection after what is
    /// queued for it, flushes for at most ``BrokerConfiguration/drainTimeout``, closes
    /// everything and returns the final counts. Calling it again returns the same summary.
    public func stop() async -> BrokerSummary {
        enum Step {
            case stop(Running)
            case done(BrokerSummary)
            case wait
        }
        let step = phase.withLock { phase -> Step in
            switch phase {
            case .running(let running):
                phase = .stopping
                return .stop(running)
            case .stopped(let summary):
                return .done(summary)
            case .idle:
                core.router.stop()
                let summary = BrokerSummary(stats: core.stats(), connectionsAtStop: 0, drained: true)
                phase = .stopped(summary)
                return .done(summary)
            case .stopping:
                return .wait
            }
        }
        switch step {
        case .done(let summary):
            return summary
        case .wait:
            while true {
                try? await Task.sleep(for: .milliseconds(10))
                let summary = phase.withLock { phase -> BrokerSummary? in
                    if case .stopped(let summary) = phase { return summary }
                    return nil
                }
                if let summary { return summary }
            }
        case .stop(let running):
            let summary = await finish(running)
            phase.withLock { $0 = .stopped(summary) }
            return summary
        }
    }

    private func finish(_ running: Running) async -> BrokerSummary {
        core.router.stop()
        let connectionsAtStop = core.connectionCount.load(ordering: .relaxed)
        let deadline = BrokerLoop.now() + core.limits.drainNanoseconds
        for loop in running.loops {
            loop.eventLoop.execute { loop.beginDrain(deadline: deadline) }
        }
        let threads = running.threads
        if !threads.isEmpty {
            await joinInBackground(threads)
        }
        for loop in running.loops { loop.eventLoop.runPendingTasks() }
        let drained = running.loops.allSatisfy(\.drainedCleanly)
        for path in running.unixPaths { unlink(path) }
        for loop in running.loops { loop.releaseHandedOver() }
        core.router.detach()
        return BrokerSummary(stats: core.stats(), connectionsAtStop: connectionsAtStop, drained: drained)
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
    }

    /// The counters now: pool, connections, messages in and out, slow consumers, dropped
    /// frames (as the loops last published them, at most one event batch old).
    public func stats() -> BrokerStats {
        core.stats()
    }
}
