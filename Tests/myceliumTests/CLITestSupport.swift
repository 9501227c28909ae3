import Foundation
import Testing

/// The built `mycelium` binary, run as a child process in a temporary working directory.
final class CLI: Sendable {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
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
    /// `MYCELIUM_CATALOG` unset unless given, and waits at most 30 seconds.
    func run(_ arguments: String..., input: String? = nil, environment: [String: String] = [:]) throws -> Result {
        try run(arguments, input: input, environment: environment)
    }

    /// The same with the arguments in an array.
    func run(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = process(arguments, environment: environment)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let inputPipe = Pipe()
        process.standardInput = inputPipe
        _ = Self.ignoreBrokenPipes
        try process.run()
        // Written from another thread: a child that fails early must not block the test on a full pipe.
        let inputData = Data((input ?? "").utf8)
        let writer = inputPipe.fileHandleForWriting
        Thread.detachNewThread {
            try? writer.write(contentsOf: inputData)
            try? writer.close()
        }
        // A hung child is killed after 30 s so that the reads below end; the watchdog is
        // cancelled as soon as the child exits, before its pid could be reused.
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        #expect(process.terminationReason == .exit, "mycelium \(arguments.joined(separator: " ")) was killed or crashed")
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
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
