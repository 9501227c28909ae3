import MyceliumKit
import Synchronization

/// Flow control between a run's publishers and subscribers: publishers stop while the
/// messages published in all exceed the slowest subscriber's count by more than ``limit``,
/// so a run measures sustained throughput rather than how much the broker buffers (and no
/// subscriber reaches the broker's slow-consumer limit). Subscribers report their counts
/// every few hundred messages, so its lock is not taken per message.
final class BenchWindow: Sendable {
    /// How many messages the publishers may be ahead of the slowest subscriber.
    let limit: Int
    /// Messages published so far by all publishers (markers not counted).
    let published = Atomic<Int>(0)
    private let state: Lock<State>

    private struct State {
        var received: [Int]
        var waiters: [(threshold: Int, continuation: CheckedContinuation<Int?, Never>)] = []
        var failed = false

        var slowest: Int { received.min() ?? 0 }
    }

    /// A window of `limit` messages over `subscribers` subscribers.
    init(limit: Int, subscribers: Int) {
        precondition(limit >= 1 && subscribers >= 1, "a window needs room and a subscriber")
        self.limit = limit
        state = Lock(State(received: Array(repeating: 0, count: subscribers)))
    }

    /// Messages received by all subscribers together, as last reported.
    var delivered: Int { state.withLock { $0.received.reduce(0, +) } }

    /// Subscriber `index` has received `received` messages; wakes the publishers it lets on.
    func report(subscriber index: Int, received: Int) {
        let woken = state.withLock { state -> [(CheckedContinuation<Int?, Never>, Int)] in
            state.received[index] = received
            let slowest = state.slowest
            var woken: [(CheckedContinuation<Int?, Never>, Int)] = []
            state.waiters.removeAll { waiter in
                guard waiter.threshold <= slowest else { return false }
                woken.append((waiter.continuation, slowest))
                return true
            }
            return woken
        }
        for (continuation, slowest) in woken { continuation.resume(returning: slowest) }
    }

    /// Waits until every subscriber has received at least `threshold` messages; returns the
    /// slowest one's count then, or `nil` once the run failed (``fail()``) or the task is cancelled.
    func wait(until threshold: Int) async -> Int? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int?, Never>) in
                let immediate = state.withLock { state -> Int?? in
                    if state.failed { return .some(nil) }
                    if state.slowest >= threshold { return .some(state.slowest) }
                    state.waiters.append((threshold, continuation))
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            fail()
        }
    }

    /// Ends the run's flow control: every waiting publisher, and every later wait, gets `nil`.
    func fail() {
        let waiters = state.withLock { state in
            state.failed = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
    }
}
