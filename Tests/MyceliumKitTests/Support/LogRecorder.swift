import Logging
import MyceliumKit

/// A swift-log handler that keeps every line it is given, for tests of what is logged.
final class LogRecorder: Sendable {
    /// One logged line.
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
    }

    private let recorded = Lock([Line]())

    /// A logger at `trace` level whose lines this recorder keeps.
    func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in Handler(recorder: self) }
        logger.logLevel = .trace
        return logger
    }

    /// The lines so far.
    var lines: [Line] { recorded.withLock { $0 } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel = Logger.Level.trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let line = Line(
                level: event.level, message: "\(event.message)",
                metadata: metadata.merging(event.metadata ?? [:]) { $1 })
            recorder.recorded.withLock { $0.append(line) }
        }
    }
}

extension BrokerConfiguration {
    /// ``forTests()`` whose log `recorder` keeps, with a pending limit of `maxPending` bytes
    /// (a small one cuts a slow consumer quickly).
    static func forTests(recordingTo recorder: LogRecorder, maxPending: Int) -> Self {
        var configuration = Self.forTests()
        configuration.maxPending = maxPending
        configuration.logger = recorder.logger()
        return configuration
    }
}
