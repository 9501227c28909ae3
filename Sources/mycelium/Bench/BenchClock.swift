import Glibc

/// The clock every bench timestamp comes from: `CLOCK_MONOTONIC` in nanoseconds. Publishers
/// and subscribers run in one process, so their readings compare directly.
enum BenchClock {
    /// Nanoseconds since an arbitrary point (boot); never goes back.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}
