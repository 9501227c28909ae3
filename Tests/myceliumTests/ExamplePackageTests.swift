import Foundation
import MyceliumTestSupport
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
        let command = ["nice", "-n", "19", "swift", "build", "--package-path", Self.example.path, "--scratch-path", scratch.path]
        var build = try await Self.run(command, timeLimit: Self.buildTimeLimit)
        // SwiftPM keeps a path dependency's old file list in the example's build folder: after
        // a source file of this package was added or moved, the next build fails ("because of
        // missing inputs", or "cannot find type" for a type in a new file). That is the build
        // folder's staleness, not the example's; a failure is retried once from a clean
        // folder, and a real one fails again.
        if !(build.exited && build.status == 0) {
            try? FileManager.default.removeItem(at: scratch)
            build = try await Self.run(command, timeLimit: Self.buildTimeLimit)
        }
        try #require(
            build.exited && build.status == 0,
            "swift build of Examples/CustomBackend failed (status \(build.status)) after \(build.duration):\n\(build.stdout.suffix(3000))\n\(build.stderr.suffix(3000))"
        )

        let example = try await Self.run([scratch.appendingPathComponent("debug/custom-backend").path], timeLimit: 120)
        #expect(example.exited && example.status == 0, "custom-backend exited \(example.status):\n\(example.stdout)")
        #expect(example.stderr.isEmpty, "custom-backend wrote to stderr: \(example.stderr)")
        let lines = example.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "conformance: pool 'stack' keeps every PoolConformance promise (pools, zeroes)")
        #expect(lines.contains { $0.hasPrefix("broker: pool stack, listening on tcp 127.0.0.1:") })
        #expect(lines.contains("socket -> in-process: 200 of 200 Reading messages, in order, intact"))
        #expect(lines.contains("in-process -> socket: 200 of 200 Setpoint messages, in order, intact"))
        #expect(lines.contains { $0.hasPrefix("client: ping ") && $0.hasSuffix("the broker counts 400 messages in, 400 out") })
        #expect(lines.contains { $0.hasPrefix("pool stack: ") && $0.hasSuffix(", 0 in use after stop") })
        #expect(lines.last?.hasPrefix("stopped: ") == true)
    }

    /// Runs `arguments` (the first found on `PATH`) and waits for it; after `timeLimit`
    /// seconds it is killed, which fails the expectation on its status.
    private static func run(_ arguments: [String], timeLimit: Double) async throws -> CLI.Result {
        try await onThread {
            let child = try ChildProcess(
                arguments[0], Array(arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
            return try CLI.runWaiting(child, timeLimit: timeLimit)
        }
    }
}
