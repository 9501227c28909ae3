import CSQLite
import Foundation
import MyceliumCore
import Testing

@testable import ContractStore

@Suite struct CatalogTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    static let trade = """
        schema: { id: 0x10, version: 1 }
        messages:
          Trade: { tlv_type: 1101, domain: MarketData, fields: { price: i64, qty: u32 } }
          Snapshot: { tlv_type: 1102, fields: { levels: "FixedVec<uint64, 40>" } }
        """

    /// Creates an SQLite file at `user_version` `version` with the first `migrations` steps.
    func makeDatabase(_ name: String, version: Int, migrations: Int = 0) throws -> String {
        let path = directory.path(name)
        let database = try SQLiteDatabase(path: path, readOnly: false, create: true)
        for step in CatalogMigrations.steps.prefix(migrations) { try database.exec(step) }
        try database.setUserVersion(version)
        return path
    }

    func userVersion(_ path: String) throws -> Int {
        try SQLiteDatabase(path: path, readOnly: true, create: false).userVersion
    }

    func openError(_ path: String, create: Bool = true) -> String? {
        do {
            _ = try Catalog(path: path, createIfMissing: create)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func newCatalogIsCreatedAtTheLatestFormat() throws {
        let path = directory.path("new.db")
        let catalog = try Catalog(path: path)
        #expect(try catalog.messages().isEmpty)
        #expect(try userVersion(path) == CatalogMigrations.latest)
    }

    @Test func fileAtUserVersionZeroIsMigrated() throws {
        let path = try makeDatabase("v0.db", version: 0)
        let catalog = try Catalog(path: path)
        _ = try catalog.importContracts(yaml: Self.trade, file: "trade.yaml")
        #expect(try userVersion(path) == CatalogMigrations.latest)
        #expect(try catalog.messages().map(\.name) == ["Trade", "Snapshot"])
    }

    @Test func fileAtAnOlderFormatKeepsItsDataAndGainsTheNewTables() throws {
        let path = try makeDatabase("v1.db", version: 1, migrations: 1)
        let database = try SQLiteDatabase(path: path, readOnly: false, create: false)
        try database.exec(
            """
            INSERT INTO schemas VALUES ('old.yaml', NULL, 1, 1, x'', x'', 'old.yaml', '2026-01-01');
            INSERT INTO messages VALUES (1500, 'Old', 'old.yaml', NULL, NULL, NULL, 2, 128);
            INSERT INTO fields VALUES (1500, 0, 'a', 'u16', 'uint16', 0, 2, NULL);
            """)
        let catalog = try Catalog(path: path)
        #expect(try catalog.messages().map(\.layout) == [["a uint16"]])
        _ = try catalog.importContracts(yaml: Self.trade, file: "trade.yaml")
        let history = try catalog.database.prepare("SELECT set_key, outcome FROM import_history").rows {
            "\($0.text(0) ?? "") \($0.text(1) ?? "")"
        }
        #expect(history == ["schema 0x10 created"])
    }

    @Test func fileFromANewerVersionIsRefusedAndLeftAlone() throws {
        let path = try makeDatabase("v99.db", version: 99)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(
            openError(path) == "catalog \(path): was written by a newer Mycelium (catalog format 99; this build knows up to "
                + "\(CatalogMigrations.latest)); upgrade mycelium")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func directoryIsRefused() {
        #expect(
            openError(directory.url.path)
                == "catalog \(directory.url.path): is a directory, not a catalog file (e.g. \(directory.url.path)/mycelium.db)"
        )
    }

    @Test func nonSQLiteFileIsRefusedAndLeftAlone() throws {
        let path = try directory.write("notes.db", "these are not the tables you are looking for\n")
        #expect(
            openError(path) == "catalog \(path): is not an SQLite file, so not a Mycelium catalog")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "these are not the tables you are looking for\n")
    }

    @Test func sqliteFileOfAnotherProgramIsRefused() throws {
        let path = directory.path("other.db")
        try SQLiteDatabase(path: path, readOnly: false, create: true).exec("CREATE TABLE messages (x)")
        #expect(
            openError(path)
                == "catalog \(path): is an SQLite file of another program, not a Mycelium catalog")
    }

    @Test func missingFileIsAnErrorWhenNotCreating() {
        let path = directory.path("absent.db")
        #expect(
            openError(path, create: false)
                == "catalog \(path): no catalog here; import contracts first")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func readOnlyCatalogIsReadableButRefusesImports() throws {
        let path = directory.path("ro.db")
        _ = try Catalog(path: path).importContracts(yaml: Self.trade, file: "trade.yaml")
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let catalog = try Catalog(path: path)
        #expect(catalog.isReadOnly)
        #expect(try catalog.messages().count == 2)
        #expect {
            try catalog.importContracts(yaml: "messages: { X: { tlv_type: 1900, fields: { a: u8 } } }", file: "x.yaml")
        } throws: { error in
            (error as? CatalogError)?.code == .readOnly
                && (error as? CatalogError)?.description == "catalog \(path): is read-only; make it writable (chmod u+w)"
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func readOnlyCatalogThatNeedsMigrationIsRefused() throws {
        let path = try makeDatabase("ro-old.db", version: 1, migrations: 1)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        #expect(
            openError(path)?.hasSuffix(
                "is read-only and needs migrating from format 1 to \(CatalogMigrations.latest); make it writable (chmod u+w)")
                == true)
    }

    @Test func messageTypesAndPlanComeFromTheCatalog() throws {
        let catalog = try Catalog(path: directory.path("c.db"))
        _ = try catalog.importContracts(yaml: Self.trade, file: "trade.yaml")
        let types = try catalog.messageTypes()
        #expect(types.entries.map(\.name) == ["Trade", "Snapshot"])
        #expect(types.maxPayload(forTypeID: 1101) == 12)
        #expect(types.maxPayload(forTypeID: 1102) == 320)
        #expect(types.maxPayload(forTypeID: 1103) == nil)
        #expect(try catalog.sizeClassPlan().classes == [.init(size: 128, capacity: 512), .init(size: 512, capacity: 128)])
        #expect(try catalog.digest() == ContractParser.parse(yaml: Self.trade, file: "t").set.digest)
    }

    @Test func messageLookupByNameOrTypeID() throws {
        let catalog = try Catalog(path: directory.path("c.db"))
        _ = try catalog.importContracts(yaml: Self.trade, file: "trade.yaml")
        let byName = try catalog.message("Trade")
        #expect(try catalog.message("1101") == byName)
        #expect(byName.domain == "MarketData")
        #expect(byName.fields.map(\.declaredType) == ["i64", "u32"])
        #expect(byName.fields.map(\.offset) == [0, 8])
        let error = #expect(throws: CatalogError.self) { try catalog.message("Nope") }
        #expect(error?.code == .unknownMessage)
        #expect(error?.problems == ["has no message named or numbered 'Nope'; known: Trade, Snapshot"])
    }

    @Test func openOrCreateFromBundledImportsOnlyWhenMissing() throws {
        let path = directory.path("bundled.db")
        let first = try Catalog.openOrCreateFromBundled(path: path)
        #expect(first.created)
        let bench = try first.catalog.message("BenchFrame")
        #expect(bench.typeID == 1001 && bench.maxPayload == 1024)
        #expect(try first.catalog.messageTypes().maxPayload(forTypeID: 1001) == 1024)
        let second = try Catalog.openOrCreateFromBundled(path: path)
        #expect(!second.created)
        #expect(try second.catalog.digest() == first.catalog.digest())
        #expect(try second.catalog.sets().map(\.source) == [BundledContracts.fileName])
    }

    @Test func fieldDescriptionsAreKeptWithoutAWarning() throws {
        let catalog = try Catalog(path: directory.path("c.db"))
        let report = try catalog.importContracts(
            yaml: "messages: { M: { tlv_type: 1100, fields: { px: { type: i64, description: price in ticks } } } }",
            file: "m.yaml")
        #expect(report.warnings.isEmpty)
        #expect(try catalog.message("M").fields.map(\.summary) == ["price in ticks"])
    }

    @Test func handEditedTypeIDIsAnErrorNotACrash() throws {
        let path = directory.path("edited.db")
        _ = try Catalog(path: path).importContracts(yaml: Self.trade, file: "trade.yaml")
        try SQLiteDatabase(path: path, readOnly: false, create: false).exec(
            "UPDATE messages SET type_id = 70000 WHERE name = 'Trade'")
        #expect(
            throws: CatalogError(
                .invalidContents, path: path, "holds an invalid type id 70000; re-import its contracts into a new catalog")
        ) {
            try Catalog(path: path).messages()
        }
    }
}
