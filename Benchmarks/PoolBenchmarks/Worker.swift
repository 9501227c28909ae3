import Glibc
import Synchronization

/// A thread that lives for the whole benchmark run and runs one fixed job on request, so
/// no thread is created (and nothing is allocated) while a sample is measured.
final class Worker: @unchecked Sendable {
    private let job: @Sendable (Int) throws -> Void
    private let requested = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let count = Atomic<Int>(0)

    init(_ job: @escaping @Sendable (Int) throws -> Void) {
        self.job = job
        var thread = pthread_t()
        let box = Unmanaged.passRetained(self).toOpaque()
        pthread_create(
            &thread, nil,
            { raw in
                Unmanaged<Worker>.fromOpaque(raw!).takeRetainedValue().loop()
                return nil
            }, box)
        pthread_detach(thread)
    }

    private func loop() {
        var done = 0
        while true {
            while requested.load(ordering: .acquiring) == done { sched_yield() }
            try? job(count.load(ordering: .relaxed))
            done += 1
            finished.store(done, ordering: .releasing)
        }
    }

    /// Starts the job with `iterations`; returns at once.
    func start(_ iterations: Int) {
        count.store(iterations, ordering: .relaxed)
        requested.add(1, ordering: .releasing)
    }

    /// Waits until the job started last has finished.
    func wait() {
        let target = requested.load(ordering: .relaxed)
        while finished.load(ordering: .acquiring) != target { sched_yield() }
    }
}
