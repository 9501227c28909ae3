import Foundation
import Histogram
import MyceliumBackends
import MyceliumKit

/// One load run against one broker: `subscribers` clients subscribe to `typeID`, then
/// `publishers` clients publish `size`-byte messages, each stamped in its first 8 bytes
/// with its send time (``BenchClock``); each subscriber records arrival time minus stamp.
///
/// With a ``rate`` the publishers are open-loop: message `i` of a publisher is due at
/// `start + i / rate`, carries that intended time (not the time it actually went out), and
/// is sent at once when the publisher is late, so a stall anywhere counts in the latency of
/// every message it delayed (no coordinated omission). Without a rate they publish as fast
/// as ``BenchWindow`` lets them and stamp the actual send time.
///
/// Each publisher ends with a marker message (stamp `UInt64.max`); a subscriber is done
/// once it has every publisher's marker, so a run by ``Limit/duration(_:)`` ends the same
/// way as one by count.
struct BenchLoad: Sendable {
    /// When publishers stop.
    enum Limit: Sendable {
        /// After this many messages each.
        case count(Int)
        /// After this long.
        case duration(Duration)
    }

    /// What the run did.
    struct Outcome: Sendable {
        /// Messages published by all publishers.
        let sent: Int
        /// Messages received by all subscribers.
        let delivered: Int
        /// From the first publish to the last subscriber's last message.
        let seconds: Double
        /// Every subscriber's latencies, in nanoseconds.
        let latencies: Histogram<UInt64>
    }

    /// The broker.
    var address: SocketAddress
    let token: String?
    let typeID: UInt16
    let size: Int
    let publishers: Int
    let subscribers: Int
    var limit: Limit
    /// Messages per second per publisher; `nil` for as fast as the window allows.
    var rate: Double?
    /// The run fails when no message arrives for this long.
    static let stallTimeout = Duration.seconds(10)

    /// Subscriber wire bytes a publisher may be ahead of the slowest subscriber (as
    /// `pubsub-load --window`): 4 MiB, half the broker's default pending limit.
    static let windowBytes = 4 << 20
    /// ``windowBytes`` in messages of this run's size (at least 1,024).
    var windowMessages: Int { max(1024, Self.windowBytes / (size + FrameHeader.byteCount)) }

    /// The most bytes of frames a publisher queues at once: 1 MiB. A client's publish is a
    /// queueing under a lock, a write straight to the socket when nothing is queued, and a
    /// suspension when the client's pending limit is reached; larger runs pay that less
    /// often (128 B 1 -> 1 over Unix, against `pubsub-load` in the same sitting: 64 KiB runs
    /// 0.59x, 256 KiB 0.71-0.74x, 1 MiB with a 4 MiB pending limit 0.79x). An open-loop run
    /// (``rate``) queues only the messages due, usually far fewer.
    static let batchBytes = 1 << 20

    /// Each client's receive buffer and output chunks: 256 KiB, about what a Unix socket's
    /// kernel buffer holds, so that a subscriber takes in one read what the socket has, as
    /// `pubsub-load`'s reader does.
    static let bufferBytes = 256 << 10

    private enum Part: Sendable {
        case publisher(sent: Int)
        case subscriber(BenchReceiver.Figures)
        case monitor
    }

    /// The clients of a load, connected: the subscribers' receivers (subscribed) and the
    /// publishers.
    struct Clients: Sendable {
        fileprivate(set) var all: [MyceliumClient] = []
        fileprivate(set) var receivers: [BenchReceiver] = []
        fileprivate(set) var publishers: [MyceliumClient] = []
    }

    /// Connects the subscribers, subscribes them, connects the publishers, runs `body` with
    /// them, and closes them all.
    ///
    /// - Throws: ``UserError`` or a client error when the broker cannot be reached or
    ///   refuses the subscription; what `body` throws.
    func withClients<Result: Sendable>(_ body: (Clients) async throws -> Result) async throws -> Result {
        var clients = Clients()
        do {
            for index in 0..<subscribers {
                let client = try await connect("mycelium bench sub \(index)")
                clients.all.append(client)
                let receiver = BenchReceiver(index: index, size: size)
                try await client.subscribe([typeID], handler: receiver)
                clients.receivers.append(receiver)
            }
            for index in 0..<publishers {
                let client = try await connect("mycelium bench pub \(index)")
                clients.all.append(client)
                clients.publishers.append(client)
            }
            let result = try await body(clients)
            for client in clients.all { try await client.close() }
            return result
        } catch {
            for client in clients.all { try? await client.close(timeout: .seconds(1)) }
            throw error
        }
    }

    /// Messages each publisher sends in ``warmUp(_:)``: one window.
    var warmUpMessages: Int { windowMessages }

    /// Runs the load once, closed loop, with ``warmUpMessages`` per publisher, and forgets
    /// its figures: so that the measured run starts with every thread started, every pool
    /// buffer touched and the broker's output chunks in use, as `pubsub-load` starts its
    /// measured phase only after its probes went through.
    ///
    /// - Throws: as ``run(_:progress:)``.
    func warmUp(_ clients: Clients) async throws {
        var warmUp = self
        warmUp.limit = .count(warmUpMessages)
        warmUp.rate = nil
        _ = try await warmUp.run(clients, progress: nil)
    }

    /// Connects one client with a pool of its own (lock-free: a publisher's task takes
    /// buffers for its runs, its client's loop returns them), not zeroed on release, with a
    /// class for the runs a publisher may have pending.
    private func connect(_ name: String) async throws -> MyceliumClient {
        var options = MyceliumClient.Options()
        options.requestTimeout = .seconds(30)
        // A publisher may queue its whole window: the window, not the client, holds it back.
        options.maxPendingBytes = Self.windowBytes
        options.bufferSize = Self.bufferBytes
        let runs = options.maxPendingBytes / Self.batchBytes + 2
        let plan = SizeClassPlan(payloadSizes: [size]).adding([
            SizeClassPlan.SizeClass(size: Self.batchBytes, capacity: runs),
            SizeClassPlan.SizeClass(size: options.bufferSize, capacity: 16),
        ])
        let pool = try PoolRegistry.builtIn.make("lockfree", configuration: PoolConfiguration(plan: plan, zeroesOnRelease: false))
        return try await MyceliumClient.connect(to: address, name: name, token: token, pool: pool, options: options)
    }

    /// Runs the load once with `clients`; shows the messages delivered so far on `progress`
    /// about twice a second.
    ///
    /// - Throws: ``UserError`` when a subscriber's subscription ends early, a message has the
    ///   wrong size, or nothing arrives for ``stallTimeout``; a client error from publishing.
    func run(_ clients: Clients, progress: ProgressLine?) async throws -> Outcome {
        let window = BenchWindow(limit: windowMessages, subscribers: subscribers)
        // Reported often enough at a low rate that the stall check sees progress.
        let reportEvery = rate.map { max(1, min(256, Int($0 * Double(publishers) / 10))) } ?? 256
        for receiver in clients.receivers {
            receiver.start(BenchReceiver.Run(window: window, publishers: publishers, reportEvery: reportEvery))
        }
        let start = BenchClock.now()
        return try await withThrowingTaskGroup(of: Part.self) { group in
            for receiver in clients.receivers {
                group.addTask { .subscriber(try await receiver.figures()) }
            }
            for client in clients.publishers {
                group.addTask { .publisher(sent: try await publish(client, window: window, start: start)) }
            }
            group.addTask { try await monitor(window, progress: progress) }
            var sent = 0
            var delivered = 0
            var last = start
            var latencies = LatencySummary.makeHistogram()
            var finished = 0
            do {
                while let part = try await group.next() {
                    switch part {
                    case .publisher(let count):
                        sent += count
                    case .subscriber(let figures):
                        delivered += figures.received
                        last = max(last, figures.last)
                        latencies.add(figures.latencies)
                    case .monitor:
                        continue
                    }
                    finished += 1
                    if finished == publishers + subscribers { group.cancelAll() }
                }
            } catch {
                window.fail()
                group.cancelAll()
                throw error
            }
            return Outcome(sent: sent, delivered: delivered, seconds: Double(last - start) / 1e9, latencies: latencies)
        }
    }

    /// Publishes until the limit, then the marker; returns the messages published. Frames
    /// go out in runs of up to ``batchBytes``, each written into a buffer of the client's
    /// pool and published without a copy (one queueing each): in a closed-loop run all
    /// carry the time the run was made, in an open-loop run each its own intended time and
    /// a run holds the messages due by then. Only headers and stamps are written: the rest
    /// of a payload is whatever the pool's buffer holds.
    private func publish(_ client: MyceliumClient, window: BenchWindow, start: UInt64) async throws -> Int {
        let frameBytes = FrameHeader.byteCount + size
        let batchLimit = max(1, Self.batchBytes / frameBytes)
        let header = FrameHeader(typeID: typeID, length: UInt32(size))
        func run(of count: Int, stamp: (Int) -> UInt64) throws -> PooledBuffer {
            var frames = try client.pool.acquire(byteCount: count * frameBytes)
            for index in 0..<count {
                let frame = frames.baseAddress + index * frameBytes
                header.write(to: frame)
                (frame + FrameHeader.byteCount).storeBytes(of: stamp(index), as: UInt64.self)
            }
            frames.count = count * frameBytes
            return frames
        }
        let interval = rate.map { 1e9 / $0 }
        var end: UInt64?
        var count = Int.max
        switch limit {
        case .count(let limit): count = limit
        case .duration(let duration):
            end = start + duration.wholeNanoseconds
        }
        var allowed = window.limit
        var sent = 0
        while sent < count {
            var now = BenchClock.now()
            if let end, now >= end { break }
            var batch = min(batchLimit, count - sent)
            if let interval {
                let due = start + UInt64(Double(sent) * interval)
                if due > now {
                    try await Task.sleep(nanoseconds: due - now)
                    now = BenchClock.now()
                }
                batch = min(batch, max(1, Int(Double(now - start) / interval) + 1 - sent))
            }
            let total = window.published.add(batch, ordering: .relaxed).newValue
            if total > allowed {
                guard let slowest = await window.wait(until: total - window.limit) else { throw CancellationError() }
                allowed = slowest + window.limit
                now = BenchClock.now()
            }
            let frames = try run(of: batch) { index in interval.map { start + UInt64(Double(sent + index) * $0) } ?? now }
            try await client.publish(encodedFrames: frames)
            sent += batch
        }
        try await client.publish(encodedFrames: try run(of: 1) { _ in .max })
        try await client.flush()
        return sent
    }

    /// Reports progress about twice a second, and fails the run when nothing arrived for
    /// ``stallTimeout``; ends when the run's other tasks are done (cancelled then).
    private func monitor(_ window: BenchWindow, progress: ProgressLine?) async throws -> Part {
        let clock = ContinuousClock()
        var seen = -1
        var lastChange = clock.now
        while true {
            do {
                try await clock.sleep(for: .milliseconds(500))
            } catch {
                return .monitor
            }
            let delivered = window.delivered
            progress?.show(delivered: delivered)
            if delivered != seen {
                seen = delivered
                lastChange = clock.now
            } else if clock.now - lastChange > Self.stallTimeout {
                throw UserError(
                    text: "no message arrived at the subscribers for \(Self.stallTimeout) (\(delivered) delivered so far); "
                        + "is the broker routing type \(typeID), and is it still running?")
            }
        }
    }
}
