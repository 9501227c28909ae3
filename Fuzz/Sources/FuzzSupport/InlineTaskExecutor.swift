import Synchronization

/// A task executor whose jobs run on the harness's own thread, when it calls
/// ``runJobs()``: a task started with it as its preference (`Task(executorPreference:)`)
/// runs there, between the harness's steps, with no other thread involved. The fuzz
/// targets consume a stream this way, so that an input's allocations are freed by the end
/// of the input (libFuzzer scans for leaks after an input that freed less than it
/// allocated) and runs do not depend on thread timing.
public final class InlineTaskExecutor: TaskExecutor {
    private let jobs = Mutex<[UnownedJob]>([])

    public init() {}

    /// Queues `job` for the next ``runJobs()``; called by the runtime, on any thread.
    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        jobs.withLock { $0.append(unowned) }
    }

    /// Runs the queued jobs, and those they queue, until none is left.
    public func runJobs() {
        while let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
