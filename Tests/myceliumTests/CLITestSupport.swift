import Foundation
import MyceliumTestSupport
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
    /// test.
    func run(_ arguments: String..., input: String? = nil, environment: [String: String] = [:]) async throws -> Result {
        let result = try await Self.run(process(arguments, environment: environment), input: input, timeLimit: 30)
        #expect(result.exited, "mycelium \(arguments.joined(separator: " ")) was killed or crashed: \(result.stderr)")
        return result
    }

    /// Runs `process` with `input` on stdin and waits for it and its output; it is killed
    /// after `timeLimit` seconds. The waiting happens on threads of its own: a child may run
    /// for long, and blocking a thread of the cooperative pool (two on a 2-core machine)
    /// would stall the tests running beside this one.
    static func run(_ process: Process, input: String? = nil, timeLimit: Double) async throws -> Result {
        let out = Pipe()
        let err = Pipe()
        let inputPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inputPipe
        _ = Self.ignoreBrokenPipes
        let started = ContinuousClock.now
        try process.run()
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
        // DispatchWorkItem is thread-safe but not marked Sendable.
        nonisolated(unsafe) let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        let child = process
        DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit, execute: watchdog)
        // Each pipe is drained by its own thread, so that neither can fill and stall the child.
        async let errors = onThread { err.fileHandleForReading.readDataToEndOfFile() }
        let output = try await onThread { () -> Data in
            let output = out.fileHandleForReading.readDataToEndOfFile()
            child.waitUntilExit()
            watchdog.cancel()
            return output
        }
        return Result(
            status: child.terminationStatus, exited: child.terminationReason == .exit,
            stdout: String(decoding: output, as: UTF8.self), stderr: String(decoding: try await errors, as: UTF8.self),
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
