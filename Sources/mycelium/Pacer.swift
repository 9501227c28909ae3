/// Spaces successive ``wait()`` calls at least `1 / rate` seconds apart, so a loop that calls
/// it before each send goes at most `rate` sends per second.
struct Pacer {
    private let interval: Duration?
    private var next: ContinuousClock.Instant?

    /// `rate` in calls per second; `nil` never waits.
    init(rate: Double?) {
        interval = rate.map { .seconds(1 / $0) }
    }

    /// Sleeps until the next call is due.
    ///
    /// - Throws: `CancellationError` when the task is cancelled while sleeping.
    mutating func wait() async throws {
        guard let interval else { return }
        let clock = ContinuousClock()
        let now = clock.now
        if let next, next > now { try await clock.sleep(until: next) }
        next = max(next ?? now, now) + interval
    }
}
