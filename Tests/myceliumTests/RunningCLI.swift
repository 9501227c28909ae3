import Foundation
import MyceliumKit
import MyceliumTestSupport
import Synchronization
import Testing

/// A `mycelium` child process that runs beside the test (e.g. `subscribe`, `serve`), whose
/// output is read as it is printed.
final class RunningCLI {
    /// Bytes one pipe has delivered so far; filled by a reader thread until end of file.
    /// Guarded by the kit's pthread `Lock`: ThreadSanitizer does not see
    /// `Synchronization.Mutex` on Linux and reported its reads beside the reader's appends.
    private final class Capture: Sendable {
        let bytes = Lock(Data())
        let finished = Atomic(false)

        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                while case let data = handle.availableData, !data.isEmpty {
                    bytes.withLock { $0.append(data) }
                }
                finished.store(true, ordering: .releasing)
            }
        }

        var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
    }

    private let process: Process
    private let input = Pipe()
    private let stdout: Capture
    private let stderr: Capture
    private let description: String
    private let started = ContinuousClock.now

    /// Starts `mycelium arguments...` in `cli`'s working directory, with `environment` added
    /// and a stdin that stays open (see ``write(_:)``) until this is released.
    init(_ cli: CLI, _ arguments: [String], environment: [String: String] = [:]) throws {
        process = cli.process(arguments, environment: environment)
        description = "mycelium " + arguments.joined(separator: " ")
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try ProcessLaunch.run(process)
        stdout = Capture(out.fileHandleForReading)
        stderr = Capture(err.fileHandleForReading)
    }

    /// Starts `mycelium arguments...`; see ``init(_:_:environment:)``.
    convenience init(_ cli: CLI, _ arguments: String...) throws {
        try self.init(cli, arguments)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// What the child printed on stdout so far.
    var output: String { stdout.text }

    /// What the child printed on stderr so far.
    var errorOutput: String { stderr.text }

    /// Whether the child is still running.
    var isRunning: Bool { process.isRunning }

    /// Waits (at most `timeout`) until stderr contains `text`, e.g. subscribe's
    /// `subscribed to`; kills the child and throws when it does not.
    func waitForStderr(_ text: String, timeout: Duration = .seconds(20)) async throws {
        try await waitUntil("stderr containing '\(text)'", timeout: timeout) { stderr.text.contains(text) }
    }

    /// Waits (at most `timeout`) until stdout has `count` complete lines.
    func waitForLines(_ count: Int, timeout: Duration = .seconds(20)) async throws {
        try await waitUntil("\(count) lines on stdout", timeout: timeout) {
            stdout.text.filter { $0 == "\n" }.count >= count
        }
    }

    /// Writes `text` to the child's stdin.
    func write(_ text: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    /// Sends `signal` to the child.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits (at most `timeout`) for the child to exit (by itself or by a signal) and its
    /// output to end; kills it and throws when it does not.
    func end(timeout: Duration = .seconds(20)) async throws -> CLI.Result {
        try await waitUntil("exit", timeout: timeout) {
            !process.isRunning && stdout.finished.load(ordering: .acquiring) && stderr.finished.load(ordering: .acquiring)
        }
        return CLI.Result(
            status: process.terminationStatus, exited: process.terminationReason == .exit, stdout: stdout.text,
            stderr: stderr.text, duration: ContinuousClock.now - started)
    }

    /// ``end(timeout:)``, expecting the child to exit by itself.
    func finish(timeout: Duration = .seconds(20)) async throws -> CLI.Result {
        let result = try await end(timeout: timeout)
        #expect(result.exited, "\(description) was killed or crashed")
        return result
    }

    private func waitUntil(_ what: String, timeout: Duration, _ condition: () -> Bool) async throws {
        do {
            try await MyceliumTestSupport.waitUntil(
                what, timeout: timeout, detail: "stdout: \(self.stdout.text) stderr: \(self.stderr.text)", condition)
        } catch {
            send(SIGKILL)
            throw TimedOut("\(description): \(error)")
        }
    }
}
