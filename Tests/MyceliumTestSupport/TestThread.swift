import Foundation

/// A thread of its own for blocking test work (socket reads, accepts, waiting for a child
/// process), so that it never holds one of the few threads Swift concurrency runs tests on.
/// Jobs run one at a time, in order; ``run(_:)`` awaits one through a continuation.
package final class TestThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var isStopping = false

    /// Starts the thread; `name` shows in a debugger.
    package init(name: String) {
        let thread = Thread { [self] in work() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the thread and returns what it returned, or throws what it threw.
    package func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            condition.withLock {
                precondition(!isStopping, "TestThread used after stop()")
                jobs.append { continuation.resume(with: Result { try body() }) }
                condition.signal()
            }
        }
    }

    /// Lets the thread end once the jobs queued so far have run.
    package func stop() {
        condition.withLock {
            isStopping = true
            condition.signal()
        }
    }

    private func work() {
        while true {
            let next: [() -> Void] = condition.withLock {
                while jobs.isEmpty && !isStopping { condition.wait() }
                defer { jobs.removeAll() }
                return jobs
            }
            if next.isEmpty { return }
            for job in next { job() }
        }
    }
}

/// Runs blocking `body` on a thread started for it and awaits its result: for one-off
/// blocking calls (an `accept`, a child process's exit) in an async test.
package func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    let thread = TestThread(name: "test blocking call")
    defer { thread.stop() }
    return try await thread.run(body)
}
