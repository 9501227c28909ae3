/// One question put to every loop of a broker, each answering on its own thread from a task
/// on its queue; whichever loop answers last hands all the answers on. For what only a
/// loop may read (its connections), asked off the per-frame path: CONNECTIONS, and the
/// pending bytes a metrics scrape reports.
final class LoopGathering<Part: Sendable>: Sendable {
    private struct State {
        var parts: [Part] = []
        var missing: Int
    }

    private let state: Lock<State>
    private let done: @Sendable ([Part]) -> Void

    private init(expected: Int, done: @escaping @Sendable ([Part]) -> Void) {
        state = Lock(State(missing: expected))
        self.done = done
    }

    /// Queues `question` on every loop of the running broker `router` routes for; the last
    /// answer calls `done` with all of them, on that loop's thread (at once, on the caller's,
    /// when the broker is not running). `done` is always called once.
    static func ask(
        _ router: DeliveryRouter, _ question: @escaping @Sendable (BrokerLoop) -> Part,
        done: @escaping @Sendable ([Part]) -> Void
    ) {
        var none = false
        router.withLoops { loops in
            guard !loops.isEmpty else {
                none = true
                return
            }
            let gathering = LoopGathering(expected: loops.count, done: done)
            for loop in loops { loop.eventLoop.execute { gathering.add(question(loop)) } }
        }
        if none { done([]) }
    }

    private func add(_ part: Part) {
        let complete = state.withLock { state -> [Part]? in
            state.parts.append(part)
            state.missing -= 1
            return state.missing == 0 ? state.parts : nil
        }
        if let complete { done(complete) }
    }
}
