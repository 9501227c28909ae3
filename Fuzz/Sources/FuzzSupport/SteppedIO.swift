import Glibc

/// Waiting for a harness whose peer runs on the harness's own thread, one step at a time
/// (`Broker.step()`, `FedClient.step()`): instead of blocking, these run the peer's step
/// until what they wait for is there. Each gives up after `SteppedIO.deadlineSeconds`.
public enum SteppedIO {
    /// How long a call steps before it gives up: long enough for a consumer task on another
    /// thread of a loaded machine, short of the 10 s timeout `Scripts/fuzz.sh` gives libFuzzer.
    public static let deadlineSeconds = 5

    /// Runs `step` until a read on `fd` would not wait (data, or the end of the stream);
    /// `false` when that does not happen within the deadline.
    public static func waitReadable(_ fd: Int32, stepping step: () -> Void) -> Bool {
        let deadline = now() + deadlineSeconds
        var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&ready, 1, 0) == 0 {
            guard now() < deadline else { return false }
            step()
        }
        return true
    }

    /// Runs `step` until `done` holds; `false` when it does not within the deadline.
    public static func stepUntil(_ done: () -> Bool, stepping step: () -> Void) -> Bool {
        let deadline = now() + deadlineSeconds
        while !done() {
            guard now() < deadline else { return false }
            step()
        }
        return true
    }

    /// Whole seconds of the monotonic clock.
    private static func now() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &time)
        return time.tv_sec
    }
}
