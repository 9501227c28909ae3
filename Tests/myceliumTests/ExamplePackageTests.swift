import Foundation
import Synchronization
import Testing

/// `Examples/CustomBackend`, built and run as its users would: a package of its own that
/// depends on this one by path, defines a pool backend, checks it with `MyceliumTestKit` and
/// runs an embedded broker on it.
@Suite struct ExamplePackageTests {
    /// The example's directory, found from this file (Tests/myceliumTests/ → the root).
    private static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/CustomBackend")

    /// A cold build of the example (swift-log and the kit's modules) took 1 minute on an idle
    /// 2-core machine; the limit leaves room for a loaded one. A warm build takes seconds.
    private static let buildTimeLimit: Double = 900

    @Test func customBackendExampleBuildsAndMovesMessagesBothWays() async throws {
        let scratch = Self.example.appendingPathComponent(".build")
        // At the lowest priority: a compiler on every core would otherwise starve the
        // timing-bound tests running beside it (seen under the thread sanitizer).
        let build = try await Self.run(
            ["nice", "-n", "19", "swift", "build", "--package-path", Self.example.path, "--scratch-path", scratch.path],
            timeLimit: Self.buildTimeLimit)
        try #require(
            build.status == 0,
            "swift build of Examples/CustomBackend failed (status \(build.status)) after \(build.seconds) s:\n\(build.output.suffix(3000))\n\(build.errors.suffix(3000))"
        )

        let example = try await Self.run([scratch.appendingPathComponent("debug/custom-backend").path], timeLimit: 120)
        #expect(example.status == 0, "custom-backend exited \(example.status):\n\(example.output)")
        #expect(example.errors.isEmpty, "custom-backend wrote to stderr: \(example.errors)")
        let lines = example.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "conformance: pool 'stack' keeps every PoolConformance promise (pools, zeroes)")
        #expect(lines.contains { $0.hasPrefix("broker: pool stack, listening on tcp 127.0.0.1:") })
        #expect(lines.contains("socket -> in-process: 200 of 200 Reading messages, in order, intact"))
        #expect(lines.contains("in-process -> socket: 200 of 200 Setpoint messages, in order, intact"))
        #expect(lines.contains { $0.hasPrefix("client: ping ") && $0.hasSuffix("the broker counts 400 messages in, 400 out") })
        #expect(lines.contains { $0.hasPrefix("pool stack: ") && $0.hasSuffix(", 0 in use after stop") })
        #expect(lines.last?.hasPrefix("stopped: ") == true)
    }

    private struct Finished {
        /// The exit status; minus the signal's number when it was killed (e.g. at the time limit).
        let status: Int32
        let output: String
        let errors: String
        let seconds: Double
    }

    /// Runs `arguments` (the first found on `PATH`) and waits for it; after `timeLimit`
    /// seconds it is killed, which fails the expectation on its status.
    ///
    /// The waiting happens on a thread of its own: blocking a thread of the cooperative pool
    /// (two on a 2-core machine) for the length of a build would stall the tests running
    /// beside this one.
    private static func run(_ arguments: [String], timeLimit: Double) async throws -> Finished {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let started = ContinuousClock.now
        try process.run()
        let pid = process.processIdentifier
        // DispatchWorkItem is thread-safe but not marked Sendable.
        nonisolated(unsafe) let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit, execute: watchdog)
        let outputHandle = output.fileHandleForReading
        let errorHandle = errors.fileHandleForReading
        return await withCheckedContinuation { continuation in
            // Each pipe is drained by its own thread, so that neither can fill and stall the child.
            let errorBytes = Mutex(Data())
            let drained = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                let data = errorHandle.readDataToEndOfFile()
                errorBytes.withLock { $0 = data }
                drained.signal()
            }
            Thread.detachNewThread {
                let outputBytes = outputHandle.readDataToEndOfFile()
                drained.wait()
                process.waitUntilExit()
                watchdog.cancel()
                let elapsed = ContinuousClock.now - started
                let status = process.terminationReason == .exit ? process.terminationStatus : -process.terminationStatus
                continuation.resume(
                    returning: Finished(
                        status: status, output: String(decoding: outputBytes, as: UTF8.self),
                        errors: errorBytes.withLock { String(decoding: $0, as: UTF8.self) },
                        seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            }
        }
    }
}
