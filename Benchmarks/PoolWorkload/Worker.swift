import CThreadAffinity
import Glibc
import Synchronization

/// A thread that lives for the whole benchmark run and runs one fixed job on request, so
/// no thread is created (and nothing is allocated) while a sample is measured. Idle workers
/// sleep on a semaphore: a dozen spinning idle threads would steal the measured thread's CPU.
///
/// When the process may use two CPUs or more, a worker runs on the second and the thread
/// that starts it on the first. Left to the scheduler, the worker woken for each sample
/// landed on either CPU, and on the 2-CPU VM a handoff between two CPUs costs 3-4x one
/// within a CPU, for the pools and malloc alike: suite runs were bimodal (one run's
/// CrossThreadRelease.arena had p25 126 ns and p50 414 ns). Pinned, every sample of every
/// subject measures the same thing, two threads on two cores, as in a broker with an event
/// loop per core.
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
        Self.pin(to: 1)
        while true {
            while sem_wait(started) != 0 {}
            try? job(count.load(ordering: .relaxed))
            sem_post(finished)
        }
    }

    /// Starts the job with `iterations`; returns at once.
    public func start(_ iterations: Int) {
        if pthread_self() != Self.pinnedStarter.load(ordering: .relaxed) {
            Self.pin(to: 0)
            Self.pinnedStarter.store(pthread_self(), ordering: .relaxed)
        }
        count.store(iterations, ordering: .relaxed)
        sem_post(started)
    }

    /// Waits until the job started last has finished.
    public func wait() {
        while sem_wait(finished) != 0 {}
    }

    /// The thread that last started a worker, and so was pinned to the first CPU: pinning is a system
    /// call, which a 1000-operation sample should not pay every time.
    private static let pinnedStarter = Atomic<pthread_t>(0)

    /// Pins the calling thread to the process's `index`-th CPU, if it has one.
    private static func pin(to index: Int32) {
        let status = mycelium_bench_pin_to_cpu(index)
        if status > 0 { print("cannot pin a benchmark thread to CPU #\(index): \(String(cString: strerror(status)))") }
    }
}
