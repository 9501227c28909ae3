import Histogram
import MyceliumKit

/// One subscriber of a load: a handler its client's thread calls for every message (no
/// hand-off to a task, as `pubsub-load`'s reader parses in its own thread), which counts a
/// run's messages, records their latencies, reports its count to the run's window, and hands
/// the run's figures to the task waiting in ``figures()`` once every publisher's marker came.
///
/// A run is ``start(_:)``ed before its publishers publish; messages outside a run are not
/// counted. The tally lives behind a pointer and is touched by the client's thread only;
/// the run and its outcome pass between threads under a lock, taken at a run's first
/// message, at each report, and at its end.
final class BenchReceiver: MessageHandler, @unchecked Sendable {
    /// What a run needs from its receivers.
    struct Run {
        let window: BenchWindow
        let publishers: Int
        /// Messages between reports to the window.
        let reportEvery: Int
    }

    /// What one subscriber received in a run.
    struct Figures: Sendable {
        /// Messages received (markers not counted).
        let received: Int
        /// When the last marker arrived (``BenchClock``).
        let last: UInt64
        /// Each message's arrival time minus its stamp, in nanoseconds.
        let latencies: Histogram<UInt64>
    }

    /// Which subscriber this is (in reports and errors).
    let index: Int
    /// The payload size every message must have.
    let size: Int

    /// The arrival time is read once per this many messages of one stamp: a clock reading
    /// costs about what handling 10 messages does, and 64 messages take a few microseconds.
    static let messagesPerClockReading = 64

    private struct Tally {
        var run: Run?
        /// The run's ``Run/reportEvery`` (read per message, without copying the run).
        var reportEvery = Int.max
        var received = 0
        var reported = 0
        var markers = 0
        var latencies = LatencySummary.makeHistogram()
        /// The stamp and arrival time of the messages being counted as one latency.
        var stamp: UInt64 = 0
        var now: UInt64 = 0
        var sameLatency: UInt64 = 0
    }

    private enum Outcome {
        case figures(Figures)
        case failed(any Error)
    }

    private struct Shared {
        var run: Run?
        var outcome: Outcome?
        var waiter: CheckedContinuation<Figures, any Error>?
    }

    private let tally: UnsafeMutablePointer<Tally>
    private let shared = Lock(Shared())

    init(index: Int, size: Int) {
        self.index = index
        self.size = size
        tally = .allocate(capacity: 1)
        tally.initialize(to: Tally())
    }

    deinit {
        tally.deinitialize(count: 1)
        tally.deallocate()
    }

    /// Counts messages for `run` from the next one on.
    func start(_ run: Run) {
        shared.withLock { shared in
            shared.run = run
            shared.outcome = nil
        }
    }

    /// Waits for the run's end: every publisher's marker.
    ///
    /// - Throws: ``UserError`` when a message has the wrong size or the subscription ended
    ///   before; `CancellationError` when the task is cancelled.
    func figures() async throws -> Figures {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Figures, any Error>) in
                let outcome = shared.withLock { shared -> Outcome? in
                    if shared.outcome == nil { shared.waiter = continuation }
                    return shared.outcome
                }
                switch outcome {
                case .figures(let figures): continuation.resume(returning: figures)
                case .failed(let error): continuation.resume(throwing: error)
                case nil: break
                }
            }
        } onCancel: {
            end(.failed(CancellationError()))
        }
    }

    // MARK: On the client's thread

    func receive(typeID: UInt16, payload: UnsafeRawBufferPointer) {
        if tally.pointee.run == nil {
            guard let run = shared.withLock({ $0.outcome == nil ? $0.run : nil }) else { return }
            tally.pointee = Tally(run: run, reportEvery: run.reportEvery)
        }
        guard payload.count == size else {
            endRun(
                .failed(
                    UserError(
                        text:
                            "subscriber \(index) received a \(payload.count)-byte message of type \(typeID), not \(size) bytes: "
                            + "is something else publishing type \(typeID) on this broker? Use --type for a type nobody else uses"
                    )))
            return
        }
        let stamp = payload.loadUnaligned(as: UInt64.self)
        if stamp == .max {
            tally.pointee.markers += 1
            if tally.pointee.markers == tally.pointee.run?.publishers { finishRun() }
            return
        }
        // Messages of one stamp arriving together are recorded as one latency with a count.
        if stamp != tally.pointee.stamp || tally.pointee.sameLatency == Self.messagesPerClockReading {
            recordLatency()
            tally.pointee.stamp = stamp
            tally.pointee.now = BenchClock.now()
        }
        tally.pointee.sameLatency += 1
        tally.pointee.received += 1
        if tally.pointee.received - tally.pointee.reported >= tally.pointee.reportEvery {
            tally.pointee.reported = tally.pointee.received
            tally.pointee.run?.window.report(subscriber: index, received: tally.pointee.received)
        }
    }

    func subscriptionEnded(error: (any Error)?) {
        let received = tally.pointee.received
        let why = error.map { ": \($0)" } ?? ""
        endRun(.failed(UserError(text: "subscriber \(index) lost its subscription after \(received) messages\(why)")))
    }

    private func recordLatency() {
        guard tally.pointee.sameLatency > 0 else { return }
        let now = tally.pointee.now
        let stamp = tally.pointee.stamp
        let latency = min(now > stamp ? now - stamp : 0, LatencySummary.highestTrackable)
        _ = tally.pointee.latencies.record(latency, count: tally.pointee.sameLatency)
        tally.pointee.sameLatency = 0
    }

    private func finishRun() {
        recordLatency()
        let figures = Figures(received: tally.pointee.received, last: BenchClock.now(), latencies: tally.pointee.latencies)
        tally.pointee.run?.window.report(subscriber: index, received: figures.received)
        endRun(.figures(figures))
    }

    /// Ends the run with `outcome` and stops counting until the next.
    private func endRun(_ outcome: Outcome) {
        tally.pointee.run = nil
        end(outcome)
    }

    // MARK: On either thread

    /// Hands `outcome` to the waiting task, unless the run has one already (a run that
    /// failed is the load's last: its clients are closed).
    private func end(_ outcome: Outcome) {
        let waiter = shared.withLock { shared -> CheckedContinuation<Figures, any Error>? in
            guard shared.outcome == nil, shared.run != nil else { return nil }
            shared.outcome = outcome
            shared.run = nil
            defer { shared.waiter = nil }
            return shared.waiter
        }
        switch outcome {
        case .figures(let figures): waiter?.resume(returning: figures)
        case .failed(let error): waiter?.resume(throwing: error)
        }
    }
}
