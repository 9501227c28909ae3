import Glibc

/// A POSIX thread running one closure; the engine's loops each run on one.
struct LoopThread: @unchecked Sendable {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    private let handle: pthread_t

    /// Starts `body` on a new thread; `name` appears in the error if that fails.
    init(name: String, _ body: @escaping () -> Void) throws(EngineError) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw EngineError("start thread \(name)", code: result)
        }
        handle = thread
    }

    /// Waits for the thread to end.
    func join() {
        pthread_join(handle, nil)
    }
}
