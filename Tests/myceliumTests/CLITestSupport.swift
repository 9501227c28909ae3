import Foundation
import MyceliumTestSupport
import Synchronization
import Testing

/// The built `mycelium` binary, run as a child process in a temporary working directory.
final class CLI: Sendable {
    /// How a child process ended and what it printed.
    struct Result: Sendable {
        /// The exit status, or the signal's number when it was killed.
        let status: Int32
        /// Whether it exited by itself (not by a signal).
        let exited: Bool
        let stdout: String
        let stderr: String
        /// How long it ran.
        let duration: Duration
    }

    /// A fresh working directory, removed when released.
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mycelium-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// `mycelium` next to the test bundle (the build products directory).
    static let executable: URL = {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            bundleDirectory.appendingPathComponent("mycelium"),
            // macOS runs tests from inside the .xctest bundle: Contents/MacOS/<name>.
            bundleDirectory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("mycelium"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    /// The repository's `contracts/contracts.yaml`.
    static let bundledContracts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("contracts/contracts.yaml").path

    /// A path inside the working directory.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes a file into the working directory and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    /// Runs `mycelium arguments...` with `input` on stdin (empty when `nil`) and
    /// `MYCELIUM_CATALOG` unset unless given; it is killed after 30 seconds, which fails the
    /// test. The waiting happens on a thread of its own: blocking a thread of the
    /// cooperative pool (two on a 2-core machine) would stall the tests beside this one.
    func run(_ arguments: String..., input: String? = nil, environment: [String: String] = [:]) async throws -> Result {
        try await run(arguments: arguments, input: input, environment: environment)
    }

    /// ``run(_:input:environment:)`` with the arguments as an array.
    func run(arguments: [String], input: String? = nil, environment: [String: String] = [:]) async throws -> Result {
        let process = process(arguments, environment: environment)
        let result = try await onThread { try Self.runWaiting(process, input: input, timeLimit: 30) }
        #expect(result.exited, "mycelium \(arguments.joined(separator: " ")) was killed or crashed: \(result.stderr)")
        return result
    }

    /// ``run(_:input:environment:)`` for code already on a thread of its own: it blocks
    /// until the child ends.
    func runWaiting(_ arguments: String..., input: String? = nil) throws -> Result {
        try Self.runWaiting(process(arguments), input: input, timeLimit: 30)
    }

    /// Runs `process` with `input` on stdin and waits for it and its output, blocking; it is
    /// killed after `timeLimit` seconds. Call it only on a thread of its own.
    static func runWaiting(_ process: Process, input: String? = nil, timeLimit: Double) throws -> Result {
        let out = Pipe()
        let err = Pipe()
        let inputPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inputPipe
        _ = Self.ignoreBrokenPipes
        let started = ContinuousClock.now
        try ProcessLaunch.run(process)
        // Written from another thread: a child that fails early must not block on a full pipe.
        let inputData = Data((input ?? "").utf8)
        let writer = inputPipe.fileHandleForWriting
        Thread.detachNewThread {
            try? writer.write(contentsOf: inputData)
            try? writer.close()
        }
        // A hung child is killed so that the reads below end; the watchdog is cancelled as
        // soon as the child exits, before its pid could be reused.
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit, execute: watchdog)
        // Each pipe is drained by its own thread, so that neither can fill and stall the child.
        let errors = Mutex(Data())
        let errorsRead = DispatchSemaphore(value: 0)
        let errorHandle = err.fileHandleForReading
        Thread.detachNewThread {
            let data = errorHandle.readDataToEndOfFile()
            errors.withLock { $0 = data }
            errorsRead.signal()
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        errorsRead.wait()
        process.waitUntilExit()
        watchdog.cancel()
        return Result(
            status: process.terminationStatus, exited: process.terminationReason == .exit,
            stdout: String(decoding: output, as: UTF8.self), stderr: errors.withLock { String(decoding: $0, as: UTF8.self) },
            duration: ContinuousClock.now - started)
    }

    /// A child that exits before reading its stdin must fail the write, not kill the tests.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// A `mycelium arguments...` process in the working directory, not yet started, with
    /// `MYCELIUM_CATALOG` unset unless given.
    func process(_ arguments: [String], environment: [String: String] = [:]) -> Process {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "MYCELIUM_CATALOG")
        env.merge(environment) { _, new in new }
        process.environment = env
        return process
    }

    /// Parses a JSON object printed on stdout.
    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }
}
