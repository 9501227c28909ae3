import Foundation
import MyceliumKit
import MyceliumTestSupport
import Testing

/// `mycelium serve` running as a child process in a ``CLI``'s directory (`TMPDIR` set
/// there), started once it printed its `listening …` line.
final class ServeProcess {
    private let child: RunningCLI
    /// The addresses from the `listening …` line.
    let addresses: [SocketAddress]
    /// The `metrics=` address of the `listening …` line, when serve has `--metrics`.
    let metricsAddress: SocketAddress?
    /// The `listening …` line, or empty when serve exited before printing it.
    let listeningLine: String

    /// Starts `mycelium serve arguments...` and waits (at most 15 s) for its `listening` line
    /// or its exit; throws when neither comes.
    init(_ cli: CLI, _ arguments: [String]) async throws {
        let child = try RunningCLI(cli, ["serve"] + arguments, environment: ["TMPDIR": cli.directory.path])
        self.child = child
        func listening() -> Substring? {
            child.output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().first { $0.hasPrefix("listening") }
        }
        try await waitUntil("serve's listening line or exit", timeout: .seconds(15), detail: child.errorOutput) {
            listening() != nil || !child.isRunning
        }
        let line = listening() ?? ""
        listeningLine = String(line)
        let fields = line.split(separator: " ").dropFirst()
        addresses = try fields.filter { !$0.hasPrefix("metrics=") }.map { field in
            field.hasPrefix("tcp=")
                ? try SocketAddress(parsingTCP: String(field.dropFirst(4)))
                : try SocketAddress(parsingUnix: String(field.dropFirst(5)))
        }
        metricsAddress = try fields.first { $0.hasPrefix("metrics=") }.map {
            try SocketAddress(parsingTCP: String($0.dropFirst(8)))
        }
    }

    /// What serve printed on stdout so far.
    var stdout: String { child.output }
    /// What serve printed on stderr so far.
    var stderr: String { child.errorOutput }

    /// Sends `signal` and waits (at most 15 s) for the exit; returns the exit status, or nil
    /// when the signal killed it. Throws when it does not end in time.
    func stop(_ signal: Int32 = SIGTERM) async throws -> Int32? {
        child.send(signal)
        return try await waitForExit()
    }

    /// Waits (at most 15 s) for serve to end; returns the exit status, or nil when a signal
    /// killed it. Throws when it does not end in time.
    func waitForExit() async throws -> Int32? {
        let result = try await child.end(timeout: .seconds(15))
        return result.exited ? result.status : nil
    }
}
