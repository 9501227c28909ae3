import Glibc

/// A POSIX thread running one closure; the engine's loops each run on one.
struct LoopThread: @unchecked Sendable {
    private final class Body: @unchecked Sendable {
        let run: () -> Void
        /// Set, under a pthread mutex, as the thread's last act: a thread that locks it after
        /// the end sees everything the thread did, and so does ThreadSanitizer.
        let ended = Lock(false)
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    private let handle: pthread_t
    private let body: Body

    /// Starts `body` on a new thread named `name` (its first 15 bytes: what `top -H`, `ps -L`
    /// and `/proc/PID/task/TID/comm` show, and how `mycelium bench` finds an embedded
    /// broker's loops); `name` also appears in the error if the thread cannot start.
    init(name: String, _ body: @escaping () -> Void) throws(EngineError) {
        let threadName = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        let state = Body {
            Self.nameCurrentThread(threadName)
            body()
        }
        self.body = state
        let context = Unmanaged.passRetained(state).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { context in
                let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
                body.run()
                body.ended.withLock { $0 = true }
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw EngineError("start thread \(name)", code: result)
        }
        handle = thread
    }

    /// Names the calling thread `name` (at most 15 bytes) through `/proc/thread-self/comm`
    /// (`pthread_setname_np` is not visible to Swift); nothing happens where that cannot be written.
    private static func nameCurrentThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = name.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
    }

    /// Waits for the thread to end.
    func join() {
        pthread_join(handle, nil)
    }

    /// Makes everything the thread did visible to the calling thread, once another thread
    /// joined it: ThreadSanitizer does not follow a join on one thread through a
    /// continuation resumed there to the task that goes on elsewhere, and reported the
    /// broker's cleanup after such a join as racing with the loops' last writes.
    func synchronizeWithEnd() {
        body.ended.withLock { ended in precondition(ended, "synchronizeWithEnd() before the thread ended") }
    }

    /// Lets the thread end on its own; nobody will join it.
    func detach() {
        pthread_detach(handle)
    }
}
