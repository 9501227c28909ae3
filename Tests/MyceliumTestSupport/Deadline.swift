/// A wait in a test that did not end in time; it fails the test that throws it.
package struct TimedOut: Error, CustomStringConvertible {
    /// What was waited for, and how long.
    package let description: String

    /// Creates the error; `description` names what was waited for and how long.
    package init(_ description: String) {
        self.description = description
    }
}

/// Runs `body`, throwing ``TimedOut`` naming `what` if it takes longer than `seconds` (the
/// body is cancelled then; every wait bounded this way must be cancellable).
package func within<T: Sendable>(
    _ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TimedOut("\(what) took more than \(seconds) s")
        }
        return value
    }
}

/// Waits until `condition` holds, checking it every 2 ms, for state nothing signals (a
/// broker's counters, a child process's output). Throws ``TimedOut`` naming `what` and, from
/// `detail`, what was seen last, when it does not hold within `timeout`. The default minute is
/// a deadline for a stuck test, not a measure: under the thread sanitizer, with every suite
/// running in parallel on two cores, 20 s was seen to pass before a publisher had filled a
/// stalled subscriber's path.
package func waitUntil(
    _ what: String, timeout: Duration = .seconds(60), detail: @autoclosure () -> String = "", _ condition: () throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else {
            let seen = detail()
            throw TimedOut("no \(what) within \(timeout)" + (seen.isEmpty ? "" : "; last seen: \(seen)"))
        }
        // The one poll interval of the tests: what is polled has no event to await.
        try await Task.sleep(for: .milliseconds(2))
    }
}

/// Calls `ask` until what it returns satisfies `condition`, every 2 ms, and returns that:
/// for figures only a request reads (a broker's metrics, a CONNECTIONS listing, a scrape).
/// Throws ``TimedOut`` naming `what` and the last answer when none does within `timeout`.
package func eventually<T>(
    _ what: String, timeout: Duration = .seconds(60), _ ask: () async throws -> T, until condition: (T) -> Bool
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    var last = try await ask()
    while !condition(last) {
        guard ContinuousClock.now < deadline else { throw TimedOut("no \(what) within \(timeout); last: \(last)") }
        // What is asked has no event to await.
        try await Task.sleep(for: .milliseconds(2))
        last = try await ask()
    }
    return last
}
