import Glibc
import Synchronization

/// A thread that lives for the whole benchmark run and runs one fixed job on request, so
/// no thread is created (and nothing is allocated) while a sample is measured. Idle workers
/// sleep on a semaphore: a dozen spinning idle threads would steal the measured thread's CPU.
public final class Worker: @unchecked Sendable {
    private let job: @Sendable (Int) throws -> Void
    private let count = Atomic<Int>(0)
    private let started = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    private let finished = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    public init(_ job: @escaping @Sendable (Int) throws -> Void) {
        self.job = job
        sem_init(started, 0, 0)
        sem_init(finished, 0, 0)
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
        while true {
            while sem_wait(started) != 0 {}
            try? job(count.load(ordering: .relaxed))
            sem_post(finished)
        }
    }

    /// Starts the job with `iterations`; returns at once.
    public func start(_ iterations: Int) {
        count.store(iterations, ordering: .relaxed)
        sem_post(started)
    }

    /// Waits until the job started last has finished.
    public func wait() {
        while sem_wait(finished) != 0 {}
    }
}
