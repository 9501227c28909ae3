import CSQLite
import ContractStore
import Foundation
import MyceliumTestSupport
import Testing

/// `mycelium import` killed with SIGKILL at random moments never leaves a damaged catalog or
/// a mixture of two contract sets: an import is one SQLite transaction, so the file holds
/// either the set before it or the set it brought.
@Suite struct ImportCrashSafetyTests {
    /// Kills that find the import running, as the hardening issue asks for at least 50.
    private static let kills = 50
    /// Messages per set: enough that an import takes tens of milliseconds, so that random
    /// kills land before, inside and after its transaction.
    private static let messageCount = 400

    @Test func killedImportsLeaveTheOldOrTheNewSetNeverAMixture() async throws {
        let directory = try CLI()
        let first = try directory.write("first.yaml", Self.contracts(version: 1))
        let second = try directory.write("second.yaml", Self.contracts(version: 2))
        let catalog = directory.path("crash.db")
        #expect(try await directory.run("import", first, "--catalog", catalog).status == 0)

        let run = try await onThread { [directory] in
            // The shortest of three uninterrupted imports bounds the random moments, so that
            // most kills find the import running even when the machine is busy.
            var durations: [Double] = []
            for file in [second, first, second] {
                let started = ContinuousClock.now
                let full = try directory.runWaiting("import", file, "--catalog", catalog, "--force")
                guard full.status == 0 else { throw UnexpectedExit(result: full) }
                durations.append(Self.seconds(ContinuousClock.now - started))
            }
            let duration = durations.min() ?? 0
            var states: [Observed] = []
            var current = 2
            // Kills that come after the import ended show nothing; they are retried, within
            // a bound, until `kills` of them found it running.
            while states.filter(\.killedWhileRunning).count < Self.kills && states.count < Self.kills * 4 {
                let next = current == 1 ? 2 : 1
                let delay = Double.random(in: 0...(duration * 0.8))
                let killed = try Self.importAndKill(directory, next == 1 ? first : second, catalog: catalog, after: delay)
                var state = Self.observe(catalog, expecting: [current, next], delay: delay)
                state.killedWhileRunning = killed
                states.append(state)
                current = state.version ?? current
            }
            return (states: states, importDuration: duration)
        }
        for (index, state) in run.states.enumerated() {
            #expect(
                state.problems.isEmpty,
                "attempt \(index + 1) of \(run.states.count), kill after \(state.delay) s: \(state.problems)")
        }
        let killed = run.states.filter(\.killedWhileRunning).count
        #expect(
            killed >= Self.kills,
            "only \(killed) of \(run.states.count) kills found the import running; an import takes \(run.importDuration) s")
    }

    /// What one kill left: the stored schema version, and what is wrong with the file.
    private struct Observed: Sendable {
        var version: Int?
        var killedWhileRunning = false
        var problems: [String]
        /// Seconds from the start of the import to the kill.
        let delay: Double
    }

    /// A contract set whose every message shows its version: version 2 adds a field to each.
    private static func contracts(version: Int) -> String {
        var text = "schema: { id: 0x43524153, version: \(version), min_compatible: 1 }\nmessages:\n"
        for index in 0..<messageCount {
            text += "  Crash\(index):\n    tlv_type: \(1000 + index)\n    description: \"version \(version)\"\n    fields:\n"
            text += "      a: uint64\n      b: { type: \"FixedStr<16>\" }\n"
            if version == 2 { text += "      c: int32\n" }
        }
        return text
    }

    /// Starts an import, kills it with SIGKILL after `delay` seconds if it still runs, and
    /// reaps it; returns whether the kill found it running.
    private static func importAndKill(_ cli: CLI, _ file: String, catalog: String, after delay: Double) throws -> Bool {
        let process = cli.process(["import", file, "--catalog", catalog, "--force"])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        // Not synchronisation: the random moment of the kill.
        Thread.sleep(forTimeInterval: delay)
        let running = process.isRunning
        if running { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return running && process.terminationReason == .uncaughtSignal
    }

    /// Checks that the catalog passes `PRAGMA integrity_check` and holds one whole set, one
    /// of the `expected` versions: every message, each with that version's field count and
    /// description.
    private static func observe(_ path: String, expecting expected: [Int], delay: Double) -> Observed {
        var observed = Observed(problems: [], delay: delay)
        do {
            // Opened first, as the next command would: a kill inside the transaction leaves a
            // hot journal, which the first read-write connection rolls back.
            let catalog = try Catalog(path: path, createIfMissing: false)
            let integrity = integrityCheck(path)
            if integrity != "ok" { observed.problems.append("integrity_check: \(integrity)") }
            let sets = try catalog.sets()
            guard sets.count == 1, expected.contains(sets[0].version) else {
                observed.problems.append("sets \(sets.map { "\($0.key) v\($0.version)" }), expected one of versions \(expected)")
                return observed
            }
            let version = sets[0].version
            observed.version = version
            let messages = try catalog.messages()
            if messages.count != messageCount { observed.problems.append("\(messages.count) messages") }
            // Version 1 has two fields per message, version 2 three.
            let mixed = messages.filter { $0.fields.count != version + 1 || $0.summary != "version \(version)" }
            if !mixed.isEmpty {
                observed.problems.append("schema version \(version), yet \(mixed.map(\.name).prefix(3)) are not")
            }
        } catch {
            observed.problems.append("cannot read the catalog: \(error)")
        }
        return observed
    }

    /// What SQLite's `PRAGMA integrity_check` says of the file: `ok` when it is sound.
    private static func integrityCheck(_ path: String) -> String {
        var database: OpaquePointer?
        var statement: OpaquePointer?
        defer { sqlite3_close(database) }
        guard sqlite3_open_v2(path, &database, SQLITE_OPEN_READONLY, nil) == SQLITE_OK,
            sqlite3_prepare_v2(database, "PRAGMA integrity_check", -1, &statement, nil) == SQLITE_OK
        else {
            return "cannot run: " + String(cString: sqlite3_errmsg(database))
        }
        defer { sqlite3_finalize(statement) }
        var lines: [String] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            lines.append(sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? "")
        }
        return lines.joined(separator: "\n")
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private struct UnexpectedExit: Error, CustomStringConvertible {
        let result: CLI.Result
        var description: String { "import exited \(result.status): \(result.stderr)" }
    }
}
