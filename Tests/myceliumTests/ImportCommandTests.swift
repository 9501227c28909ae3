import Foundation
import Testing

@Suite struct ImportCommandTests {
    let cli: CLI
    init() throws { cli = try CLI() }

    @Test func importPrintsTheSummaryAndCreatesTheDefaultCatalog() async throws {
        let result = try await cli.run("import", CLI.bundledContracts)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.first?.hasPrefix(
                "created schema 0x4D594345 from \(CLI.bundledContracts) in ./mycelium.db: 10 messages, digest ") == true)
        #expect(lines.contains("  TYPE  NAME               DOMAIN      FIELDS  BYTES  CLASS"))
        #expect(lines.contains("  1001  BenchFrame         Bench            1   1024   1024"))
        #expect(lines.contains("classes: 128 256 512 1024 8192"))
        #expect(lines.last?.hasPrefix("catalog digest: ") == true)
        #expect(FileManager.default.fileExists(atPath: cli.path("mycelium.db")))
    }

    @Test func reimportSaysItIsUnchanged() async throws {
        _ = try await cli.run("import", CLI.bundledContracts)
        let result = try await cli.run("import", CLI.bundledContracts)
        #expect(result.status == 0)
        #expect(result.stdout.contains("is unchanged in ./mycelium.db"))
        #expect(result.stdout.contains("nothing to do"))
    }

    @Test func catalogOptionAndEnvironmentChooseTheFile() async throws {
        #expect(try await cli.run("import", CLI.bundledContracts, "--catalog", "a.db").status == 0)
        #expect(try await cli.run("import", CLI.bundledContracts, environment: ["MYCELIUM_CATALOG": "b.db"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.path("a.db")))
        #expect(FileManager.default.fileExists(atPath: cli.path("b.db")))
        #expect(!FileManager.default.fileExists(atPath: cli.path("mycelium.db")))
    }

    @Test func invalidFileReportsEveryErrorAndCreatesNoCatalog() async throws {
        let file = try cli.write(
            "bad.yaml",
            """
            messages:
              A: { tlv_type: 42, fields: { x: uint9 } }
              B: { tlv_type: 1100, fields: { s: String } }
            """)
        let result = try await cli.run("import", file)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(
            result.stderr.split(separator: "\n").map(String.init) == [
                "\(file):2:18: error: message A: tlv_type 42 is outside 1000-65535 (1-999 are reserved for the framework); pick an id in 1000-65535",
                "\(file):2:35: error: message A, field x: unknown type 'uint9'; use uint8..uint128, int8..int128, uint256, "
                    + "float32, float64, bool, Address, FixedStr<N>, FixedVec<T, N>, or an alias (u64, i32, f64, U256, [u8; 20], "
                    + "String or Vec<T> with max_length)",
                "\(file):3:37: error: message B, field s: type String has no max_length; add `max_length: 32` beside `type` (it becomes FixedStr<32>)",
                "3 errors; nothing was imported",
            ])
        #expect(!FileManager.default.fileExists(atPath: cli.path("mycelium.db")))
    }

    @Test func invalidFileLeavesAnExistingCatalogUnchanged() async throws {
        _ = try await cli.run("import", CLI.bundledContracts)
        let before = try Data(contentsOf: URL(fileURLWithPath: cli.path("mycelium.db")))
        let file = try cli.write("broken.yaml", "messages:\n  A: { tlv_type: 1100, fields: { x: \"FixedVec<u8, 0>\" } }\n")
        let result = try await cli.run("import", file)
        #expect(result.status == 1)
        #expect(result.stderr.contains("N in 'FixedVec<u8, 0>' is 0; a field is never sized 0: give N of at least 1"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: cli.path("mycelium.db"))) == before)
    }

    @Test func warningsGoToStderrAndTheImportSucceeds() async throws {
        let file = try cli.write(
            "warn.yaml", "domains: [x]\nmessages:\n  A: { tlv_type: 1100, fields: { x: u8 } }\n")
        let result = try await cli.run("import", file)
        #expect(result.status == 0)
        #expect(result.stderr == "\(file):1:1: warning: top-level key 'domains' is not used by the importer; ignored\n")
    }

    @Test func layoutChangeIsRefusedThenForced() async throws {
        let v1 = try cli.write("desk.yaml", "messages:\n  A: { tlv_type: 1100, fields: { x: u8 } }\n")
        #expect(try await cli.run("import", v1).status == 0)
        try cli.write("desk.yaml", "messages:\n  A: { tlv_type: 1100, fields: { x: u16 } }\n")
        let refused = try await cli.run("import", v1)
        #expect(refused.status == 1)
        #expect(
            refused.stderr
                == "error: catalog ./mycelium.db: \(v1) changes the layout of message A (1 -> 2 bytes) without raising its "
                + "schema_version (none) or schema.version; raise one of them or pass --force\n")
        let dryRun = try await cli.run("import", v1, "--force", "--dry-run")
        #expect(dryRun.status == 0)
        #expect(dryRun.stdout.hasPrefix("dry run, nothing written: updated desk.yaml"))
        #expect(try await cli.run("contracts", "show", "A", "--json").stdout.contains("\"max_size\":1,"))
        let forced = try await cli.run("import", v1, "--force")
        #expect(forced.status == 0)
        #expect(forced.stdout.contains("changes (forced):\n  resized A (1 -> 2 bytes)\n"))
        #expect(try await cli.run("contracts", "show", "A", "--json").stdout.contains("\"max_size\":2,"))
    }

    @Test func dryRunWithoutACatalogCreatesNone() async throws {
        let result = try await cli.run("import", CLI.bundledContracts, "--dry-run")
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("dry run, nothing written: created schema 0x4D594345"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("mycelium.db")))
    }

    @Test func missingFileIsAUserError() async throws {
        let result = try await cli.run("import", "nowhere.yaml")
        #expect(result.status == 1)
        #expect(result.stderr == "error: cannot read nowhere.yaml: no such file; check the path\n")
    }

    @Test func badCatalogPathsAreUserErrors() async throws {
        let notSQLite = try cli.write("notes.txt", "plain text\n")
        let cases: [(String, String)] = [
            (
                cli.directory.path,
                "error: catalog \(cli.directory.path): is a directory, not a catalog file "
                    + "(e.g. \(cli.directory.path)/mycelium.db); pass another --catalog path\n"
            ),
            (
                notSQLite,
                "error: catalog \(notSQLite): is not an SQLite file, so not a Mycelium catalog; pass another --catalog path"
            ),
        ]
        for (catalog, message) in cases {
            let result = try await cli.run("import", CLI.bundledContracts, "--catalog", catalog)
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix(message))
            #expect(!result.stderr.contains("Stack dump") && !result.stderr.contains("Fatal error"))
        }
        #expect(try String(contentsOfFile: notSQLite, encoding: .utf8) == "plain text\n")
    }

    @Test func readOnlyCatalogIsAUserError() async throws {
        _ = try await cli.run("import", CLI.bundledContracts)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: cli.path("mycelium.db"))
        let other = try cli.write("other.yaml", "messages:\n  Z: { tlv_type: 9000, fields: { x: u8 } }\n")
        let result = try await cli.run("import", other)
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "error: catalog ./mycelium.db: is read-only; make it writable (chmod u+w) or pass another --catalog path\n")
        #expect(try await cli.run("contracts", "list").status == 0)
    }
}
