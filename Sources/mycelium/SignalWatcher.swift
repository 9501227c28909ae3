import Dispatch
import Glibc

/// Runs an action on the first SIGINT or SIGTERM (`serve` drains, `publish` and `subscribe`
/// close) instead of letting the signal kill the process; a second one kills it the default
/// way, so a stuck action never traps the user.
final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]

    /// Starts watching; the action runs in a new task. Watching ends when this is released.
    init(_ action: @escaping @Sendable () async -> Void) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                signal(SIGINT, SIG_DFL)
                signal(SIGTERM, SIG_DFL)
                Task { await action() }
            }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
