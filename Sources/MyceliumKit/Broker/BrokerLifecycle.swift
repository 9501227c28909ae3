/// The phases of a ``Broker`` and the waiters each phase holds: a pure state machine, kept
/// under the broker's `Lock`. Every transition returns the waiters to resume (outside the
/// lock) and what to tell each; nothing ever polls.
///
/// ```
/// idle ──start──▶ starting ──bound──▶ running ──stop──▶ stopping ──drained──▶ stopped
///   ▲                │  (a stop waits here)                 ▲
///   └──bind failed───┤                                      │
///                    └──bind failed, a stop waiting─────────┘
/// ```
///
/// A failed start returns to `idle` (the broker may be started again) unless a stop arrived
/// meanwhile; then it goes on to `stopping` without resources, like a stop of an idle broker.
/// `stopped` is final: a broker is started once.
///
/// `Resources` is what a running broker holds (its loops and threads); `Waiter` is a
/// continuation resumed with a ``BrokerLifecycleTurn``. Both are parameters so that tests can drive every
/// transition with plain values.
struct BrokerLifecycle<Resources: Sendable, Waiter> {
    /// Where the broker is.
    enum Phase {
        case idle
        /// Binding; stops that arrive wait for the outcome.
        case starting(stopWaiters: [Waiter])
        /// Serving; `shutdown` is the state of the request that ends `run()`.
        case running(Resources, shutdown: ShutdownRequest)
        /// One caller drains; later stops wait for its summary.
        case stopping(stopWaiters: [Waiter])
        case stopped(BrokerSummary)
    }

    /// Whether `run()` has been asked to end (graceful shutdown, cancellation, a `stop()`).
    enum ShutdownRequest {
        case notRequested
        /// `run()` waits for it.
        case awaited(Waiter)
        /// It came before `run()` began to wait.
        case requested
    }

    /// What a resumed waiter does next.
    typealias Turn = BrokerLifecycleTurn<Resources>

    /// A waiter and what to resume it with.
    typealias Resumption = (waiter: Waiter, turn: Turn)

    /// What ``claimStart()`` found.
    enum StartClaim: Equatable {
        /// The caller binds, then reports ``startSucceeded(_:)`` or ``startFailed()``.
        case claimed
        /// The broker runs already (`run()` after `start()` goes on serving).
        case alreadyRunning
        /// Starting, stopping or stopped: a start now is a mistake.
        case unavailable
    }

    private(set) var phase = Phase.idle

    /// idle → starting.
    mutating func claimStart() -> StartClaim {
        switch phase {
        case .idle:
            phase = .starting(stopWaiters: [])
            return .claimed
        case .running:
            return .alreadyRunning
        case .starting, .stopping, .stopped:
            return .unavailable
        }
    }

    /// starting → running; or, when stops arrived meanwhile, → stopping with the first of them
    /// draining.
    mutating func startSucceeded(_ resources: Resources) -> [Resumption] {
        guard case .starting(let waiters) = phase else { preconditionFailure("startSucceeded outside starting") }
        guard let first = waiters.first else {
            phase = .running(resources, shutdown: .notRequested)
            return []
        }
        phase = .stopping(stopWaiters: Array(waiters.dropFirst()))
        return [(first, .stop(resources))]
    }

    /// starting → idle; or, when stops arrived meanwhile, → stopping with nothing bound.
    mutating func startFailed() -> [Resumption] {
        guard case .starting(let waiters) = phase else { preconditionFailure("startFailed outside starting") }
        guard let first = waiters.first else {
            phase = .idle
            return []
        }
        phase = .stopping(stopWaiters: Array(waiters.dropFirst()))
        return [(first, .stop(nil))]
    }

    /// A `stop()` whose continuation is `waiter`: it drains (idle, running), waits (starting,
    /// stopping) or has its summary (stopped). Stopping a running broker also ends `run()`.
    mutating func stop(_ waiter: Waiter) -> [Resumption] {
        switch phase {
        case .idle:
            phase = .stopping(stopWaiters: [])
            return [(waiter, .stop(nil))]
        case .starting(var waiters):
            waiters.append(waiter)
            phase = .starting(stopWaiters: waiters)
            return []
        case .running(let resources, let shutdown):
            phase = .stopping(stopWaiters: [])
            var resumptions: [Resumption] = [(waiter, .stop(resources))]
            if case .awaited(let runner) = shutdown { resumptions.append((runner, .shutdownRequested)) }
            return resumptions
        case .stopping(var waiters):
            waiters.append(waiter)
            phase = .stopping(stopWaiters: waiters)
            return []
        case .stopped(let summary):
            return [(waiter, .stopped(summary))]
        }
    }

    /// stopping → stopped; every waiting stop gets the summary.
    mutating func stopFinished(_ summary: BrokerSummary) -> [Resumption] {
        guard case .stopping(let waiters) = phase else { preconditionFailure("stopFinished outside stopping") }
        phase = .stopped(summary)
        return waiters.map { ($0, .stopped(summary)) }
    }

    /// `run()` waits for a shutdown request; it is resumed at once when one came already or
    /// the broker is no longer running.
    mutating func awaitShutdown(_ waiter: Waiter) -> [Resumption] {
        guard case .running(let resources, .notRequested) = phase else { return [(waiter, .shutdownRequested)] }
        phase = .running(resources, shutdown: .awaited(waiter))
        return []
    }

    /// Graceful shutdown or cancellation of `run()`: wakes it, or tells it before it waits.
    mutating func requestShutdown() -> [Resumption] {
        guard case .running(let resources, let shutdown) = phase else { return [] }
        phase = .running(resources, shutdown: .requested)
        if case .awaited(let runner) = shutdown { return [(runner, .shutdownRequested)] }
        return []
    }
}

/// What a waiter of a ``BrokerLifecycle`` is resumed with: what it does next.
enum BrokerLifecycleTurn<Resources: Sendable>: Sendable {
    /// Drain and close these resources (`nil`: the broker never bound), then report the
    /// summary through `stopFinished(_:)`.
    case stop(Resources?)
    /// The broker has stopped with this summary.
    case stopped(BrokerSummary)
    /// `run()` should stop the broker now.
    case shutdownRequested
}
