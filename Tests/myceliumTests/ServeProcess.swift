import Foundation
import MyceliumKit
import Testing

/// `mycelium serve` running as a child process in a ``CLI``'s directory, with its stdout
/// and stderr in files there.
final class ServeProcess {
    let process = Process()
    let cli: CLI
    /// The addresses from the `listening …` line.
    private(set) var addresses: [SocketAddress] = []
    private(set) var listeningLine = ""

    /// Starts `mycelium serve arguments...` and waits (at most 15 s) for its `listening` line.
    init(_ cli: CLI, _ arguments: [String]) throws {
        self.cli = cli
        process.executableURL = CLI.executable
        process.arguments = ["serve"] + arguments
        process.currentDirectoryURL = cli.directory
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "MYCELIUM_CATALOG")
        environment["TMPDIR"] = cli.directory.path
        process.environment = environment
        _ = FileManager.default.createFile(atPath: cli.path("serve.out"), contents: nil)
        _ = FileManager.default.createFile(atPath: cli.path("serve.err"), contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: cli.path("serve.out")))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: cli.path("serve.err")))
        try process.run()
        for _ in 0..<300 {
            if let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("listening") }) {
                listeningLine = String(line)
                addresses = try line.split(separator: " ").dropFirst().map { field in
                    field.hasPrefix("tcp=")
                        ? try SocketAddress(parsingTCP: String(field.dropFirst(4)))
                        : .unix(path: String(field.dropFirst(5)))
                }
                return
            }
            if !process.isRunning { return }
            usleep(50_000)
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var stdout: String { (try? String(contentsOfFile: cli.path("serve.out"), encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: cli.path("serve.err"), encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits (at most 15 s) for the exit; returns the exit status, or
    /// nil if it had to be killed.
    func stop(_ signal: Int32 = SIGTERM) -> Int32? {
        kill(process.processIdentifier, signal)
        return waitForExit()
    }

    /// Waits (at most 15 s) for the process to end by itself.
    func waitForExit() -> Int32? {
        for _ in 0..<300 where process.isRunning { usleep(50_000) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        return process.terminationReason == .exit ? process.terminationStatus : nil
    }
}
