import CSQLite
import Foundation
import Testing

/// How every command that reads a catalog finds it: the file at `--catalog`,
/// `MYCELIUM_CATALOG` or `./mycelium.db`; the contracts built into mycelium when there is no
/// file at the default path (said on stderr); an error when a path the user named has none.
@Suite struct CatalogOptionsTests {
    let cli: CLI
    init() throws { cli = try CLI() }

    private static let bundledNote =
        "note: no catalog at ./mycelium.db; using the contracts built into mycelium (mycelium contracts export prints them)\n"

    @Test func readingCommandsInAnEmptyDirectoryUseTheBundledContractsAndSaySo() async throws {
        let sizes = try await cli.run("sizes")
        #expect(sizes.status == 0, "\(sizes.stderr)")
        #expect(sizes.stderr == Self.bundledNote)
        #expect(sizes.stdout.contains("BenchFrame"))
        let list = try await cli.run("contracts", "list")
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stderr == Self.bundledNote)
        #expect(list.stdout.contains("10 messages, catalog digest "))
        let show = try await cli.run("contracts", "show", "Trade")
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.hasPrefix("Trade (type 1101, MarketData"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("mycelium.db")), "nothing is written")
    }

    @Test(arguments: [
        ["sizes"], ["contracts", "list"], ["contracts", "show", "Trade"], ["contracts", "export", "0x4D594345"],
        ["publish", "Trade", "--json", "{}"], ["subscribe", "Trade"], ["generate", "swift", "--output", "out"],
    ])
    func aNamedCatalogThatDoesNotExistIsAnErrorEverywhere(_ command: [String]) async throws {
        let byOption = try await cli.run(arguments: command + ["--catalog", "exx.db"])
        #expect(byOption.status == 1)
        #expect(byOption.stderr.hasPrefix("error: no catalog at exx.db (from --catalog); create it with "))
        let byEnvironment = try await cli.run(arguments: command, environment: ["MYCELIUM_CATALOG": "env.db"])
        #expect(byEnvironment.status == 1)
        #expect(
            byEnvironment.stderr.hasPrefix("error: no catalog at env.db (from MYCELIUM_CATALOG); create it with ")
                && byEnvironment.stderr.hasSuffix(
                    "or leave MYCELIUM_CATALOG out to use ./mycelium.db or the contracts built into mycelium\n")
        )
        #expect(!FileManager.default.fileExists(atPath: cli.path("exx.db")))
        #expect(!FileManager.default.fileExists(atPath: cli.path("env.db")))
    }

    @Test func exportPrintsTheBundledContractsOrAnImportedSetAsItWasRead() async throws {
        let bundled = try await cli.run("contracts", "export")
        #expect(bundled.status == 0)
        #expect(bundled.stdout == (try String(contentsOfFile: CLI.bundledContracts, encoding: .utf8)))

        let file = try cli.write("mine.yaml", "# my contracts\nmessages:\n  Ping: { tlv_type: 4000, fields: { at: uint64 } }\n")
        #expect(try await cli.run("import", file, "--catalog", "c.db").status == 0)
        let mine = try await cli.run("contracts", "export", "mine.yaml", "--catalog", "c.db")
        #expect(mine.status == 0, "\(mine.stderr)")
        #expect(mine.stdout == "# my contracts\nmessages:\n  Ping: { tlv_type: 4000, fields: { at: uint64 } }\n")
    }

    @Test func exportOfAnUnknownSetNamesTheSetsThereAre() async throws {
        #expect(try await cli.run("import", CLI.bundledContracts, "--catalog", "c.db").status == 0)
        let result = try await cli.run("contracts", "export", "0x1234", "--catalog", "c.db")
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "error: catalog c.db: no contract set '0x1234'; the catalog has 'schema 0x4D594345' "
                + "(each set's schema id or file name)\n")
    }

    @Test func exportOfASetImportedBeforeTheCatalogKeptTextSaysToImportItAgain() async throws {
        #expect(try await cli.run("import", CLI.bundledContracts, "--catalog", "c.db").status == 0)
        try Self.execute("UPDATE schemas SET text = NULL", in: cli.path("c.db"))
        let result = try await cli.run("contracts", "export", "0x4D594345", "--catalog", "c.db")
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "error: catalog c.db: set 'schema 0x4D594345' was imported before the catalog kept contract files; "
                + "import \(CLI.bundledContracts) again to store it\n")
        #expect(try await cli.run("import", CLI.bundledContracts, "--catalog", "c.db").status == 0)
        #expect(try await cli.run("contracts", "export", "0x4D594345", "--catalog", "c.db").status == 0)
    }

    @Test func publishOnEmptyStdinSaysItPublishedNothing() async throws {
        try await TestBroker.with { address in
            let result = try await cli.run("publish", "Trade", "--tcp", address, input: "")
            #expect(result.status == 0)
            #expect(result.stderr.hasSuffix("published 0 messages: stdin had no JSON lines\n"))
        }
    }

    private struct SQLFailed: Error {
        let message: String
    }

    /// Runs one SQL statement on the file, as an older Mycelium's catalog would look.
    private static func execute(_ sql: String, in path: String) throws {
        var database: OpaquePointer?
        defer { sqlite3_close(database) }
        guard sqlite3_open(path, &database) == SQLITE_OK, sqlite3_exec(database, sql, nil, nil, nil) == SQLITE_OK else {
            throw SQLFailed(message: String(cString: sqlite3_errmsg(database)))
        }
    }
}
