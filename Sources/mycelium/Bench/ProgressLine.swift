import Foundation

/// The bench's progress on stderr, rewritten in place about twice a second: only when
/// stderr is a terminal, so that nothing is printed into a pipe or a file.
final class ProgressLine: Sendable {
    private let label: String
    private let expected: Int?
    private let started = ContinuousClock.now

    /// A progress line for the run `label`, of `expected` deliveries when known; `nil` when
    /// stderr is not a terminal.
    init?(label: String, expected: Int?) {
        guard isatty(STDERR_FILENO) != 0 else { return nil }
        self.label = label
        self.expected = expected
    }

    /// Shows `delivered` messages so far and the rate since the start.
    func show(delivered: Int) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let share =
            expected.map { String(format: " of %@ (%.0f%%)", grouped(Double($0)), 100 * Double(delivered) / Double(max($0, 1))) }
            ?? ""
        write(
            "\r\u{1B}[K\(label): \(grouped(Double(delivered)))\(share) delivered, \(grouped(Double(delivered) / max(seconds, 0.001))) msgs/s"
        )
    }

    /// Erases the line.
    func clear() {
        write("\r\u{1B}[K")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
