import Foundation
import Testing

@testable import ContractStore

@Suite struct CatalogImportTests {
    let directory: TemporaryDirectory
    let catalog: Catalog

    init() throws {
        directory = try TemporaryDirectory()
        catalog = try Catalog(path: directory.path("catalog.db"))
    }

    static let v1 = """
        schema: { id: 0x20, version: 1 }
        messages:
          Trade: { tlv_type: 1101, schema_version: v1, fields: { price: i64, qty: u32 } }
          Quote: { tlv_type: 1102, fields: { bid: i64, ask: i64 } }
        """

    func importing(_ yaml: String, file: String = "desk.yaml", force: Bool = false, dryRun: Bool = false) throws -> ImportReport {
        try catalog.importContracts(yaml: yaml, file: file, force: force, dryRun: dryRun)
    }

    /// Everything an import could change, to compare before and after.
    func snapshot() throws -> [String] {
        let messages = try catalog.messages().map { "\($0.typeID) \($0.name) \($0.layout) \($0.summary ?? "")" }
        let history = try catalog.database.prepare("SELECT COUNT(*) FROM import_history").rows { "history \($0.int(0))" }
        return messages + history + (try catalog.sets().map { "\($0.key) \($0.version) \($0.importedAt)" })
    }

    func refusal(_ body: () throws -> ImportReport) -> [String] {
        do {
            _ = try body()
            Issue.record("expected the import to be refused")
        } catch let error as CatalogError {
            #expect(error.code == .breakingChange || error.code == .conflict, "refused as \(error.code)")
            return error.problems
        } catch {
            Issue.record("unexpected \(error)")
        }
        return []
    }

    @Test func firstImportCreatesTheSet() throws {
        let report = try importing(Self.v1)
        #expect(report.outcome == .created)
        #expect(report.setKey == "schema 0x20")
        #expect(report.changes.map(\.description) == ["added Trade (12 bytes)", "added Quote (16 bytes)"])
        #expect(try catalog.messages().map(\.name) == ["Trade", "Quote"])
    }

    @Test func identicalReimportIsANoOp() throws {
        _ = try importing(Self.v1)
        let before = try snapshot()
        let report = try importing(Self.v1, file: "renamed.yaml")
        #expect(report.outcome == .unchanged)
        #expect(report.changes.isEmpty)
        #expect(try snapshot() == before)
    }

    @Test func anyErrorChangesNothing() throws {
        _ = try importing(Self.v1)
        let before = try snapshot()
        #expect(throws: ContractError.self) {
            try importing(Self.v1.replacingOccurrences(of: "ask: i64", with: "ask: i65"))
        }
        #expect(try snapshot() == before)
    }

    @Test func metadataChangeUpdatesWithoutTouchingTheDigest() throws {
        _ = try importing(Self.v1)
        let digest = try catalog.digest()
        let report = try importing(Self.v1.replacingOccurrences(of: "Quote: {", with: "Quote: { description: top of book,"))
        #expect(report.outcome == .updated)
        #expect(report.changes.map(\.description) == ["metadata changed Quote"])
        #expect(try catalog.message("Quote").summary == "top of book")
        #expect(try catalog.digest() == digest)
    }

    @Test func additionIsAcceptedAndReported() throws {
        _ = try importing(Self.v1)
        let report = try importing(Self.v1 + "\n  Fill: { tlv_type: 1103, fields: { id: u64 } }\n")
        #expect(report.changes.map(\.description) == ["added Fill (8 bytes)"])
        #expect(try catalog.messages().count == 3)
    }

    @Test func resizeWithoutAVersionIncreaseIsRefused() throws {
        _ = try importing(Self.v1)
        let before = try snapshot()
        let problems = refusal { try importing(Self.v1.replacingOccurrences(of: "qty: u32", with: "qty: u64")) }
        #expect(
            problems == [
                "desk.yaml changes the layout of message Trade (12 -> 16 bytes) without raising its schema_version (v1) or "
                    + "schema.version; raise one of them"
            ])
        #expect(try snapshot() == before)
    }

    @Test func reorderWithoutAVersionIncreaseIsRefused() throws {
        _ = try importing(Self.v1)
        let problems = refusal {
            try importing(Self.v1.replacingOccurrences(of: "bid: i64, ask: i64", with: "ask: i64, bid: i64"))
        }
        #expect(problems.first?.contains("changes the layout of message Quote (fields)") == true)
    }

    @Test func removalWithoutAVersionIncreaseIsRefused() throws {
        _ = try importing(Self.v1)
        let problems = refusal {
            try importing(
                Self.v1.replacingOccurrences(of: "  Quote: { tlv_type: 1102, fields: { bid: i64, ask: i64 } }", with: ""))
        }
        #expect(problems == ["desk.yaml removes message Quote; raise schema.version"])
        #expect(try catalog.messages().count == 2)
    }

    @Test func raisedMessageSchemaVersionAllowsItsLayoutChange() throws {
        _ = try importing(Self.v1)
        let report = try importing(
            Self.v1.replacingOccurrences(
                of: "schema_version: v1, fields: { price: i64, qty: u32 }",
                with: "schema_version: v2, fields: { price: i64, qty: u64 }"))
        #expect(report.outcome == .updated)
        #expect(report.changes.map(\.description) == ["resized Trade (12 -> 16 bytes)"])
        #expect(!report.forced)
        #expect(try catalog.message("Trade").maxPayload == 16)
    }

    @Test func raisedSetVersionAllowsRemovalAndLayoutChanges() throws {
        _ = try importing(Self.v1)
        let v2 = """
            schema: { id: 0x20, version: 2 }
            messages:
              Trade: { tlv_type: 1101, fields: { qty: u32, price: i64 } }
            """
        let report = try importing(v2)
        #expect(report.changes.map(\.description) == ["layout changed Trade (fields)", "removed Quote (16 bytes)"])
        #expect(try catalog.messages().map(\.name) == ["Trade"])
        #expect(try catalog.sets().map(\.version) == [2])
    }

    @Test func forceAcceptsABreakingChange() throws {
        _ = try importing(Self.v1)
        let report = try importing(Self.v1.replacingOccurrences(of: "qty: u32", with: "qty: u8"), force: true)
        #expect(report.forced)
        #expect(report.changes.map(\.description) == ["resized Trade (12 -> 9 bytes)"])
        #expect(try catalog.message("Trade").maxPayload == 9)
    }

    @Test func dryRunReportsAndWritesNothing() throws {
        _ = try importing(Self.v1)
        let before = try snapshot()
        let report = try importing(Self.v1 + "\n  Fill: { tlv_type: 1103, fields: { id: u64 } }\n", dryRun: true)
        #expect(report.dryRun)
        #expect(report.changes.map(\.description) == ["added Fill (8 bytes)"])
        #expect(try snapshot() == before)
    }

    @Test func severalSetsLiveSideBySide() throws {
        _ = try importing(Self.v1)
        let other = "messages: { Telemetry: { tlv_type: 3001, fields: { temp: f32 } } }"
        let report = try importing(other, file: "/tmp/sensors.yaml")
        #expect(report.setKey == "sensors.yaml")
        #expect(try catalog.sets().map(\.key) == ["schema 0x20", "sensors.yaml"])
        #expect(try catalog.messages().map(\.name) == ["Trade", "Quote", "Telemetry"])
        let everything =
            try ContractParser.parse(yaml: Self.v1, file: "a").set.messages
            + ContractParser.parse(yaml: other, file: "b").set.messages
        #expect(try catalog.digest() == ContractDigest.digest(of: everything))
        #expect(report.catalogDigest == ContractDigest.digest(of: everything))
    }

    @Test func nameOrTypeIDOfAnotherSetIsAClash() throws {
        _ = try importing(Self.v1)
        let before = try snapshot()
        let problems = refusal {
            try importing(
                """
                messages:
                  Trade: { tlv_type: 1900, fields: { a: u8 } }
                  Other: { tlv_type: 1102, fields: { a: u8 } }
                """, file: "other.yaml")
        }
        #expect(
            problems == [
                "message Trade in other.yaml is already defined by set 'schema 0x20'; rename it or remove it from one set",
                "type id 1102 of message Other in other.yaml is already used by Quote of set 'schema 0x20'; pick another tlv_type",
            ])
        #expect(try snapshot() == before)
    }

    @Test func versionComparisonIsNumeric() {
        #expect(Catalog.isIncrease(from: "v2", to: "v10"))
        #expect(Catalog.isIncrease(from: "1.2", to: "1.3"))
        #expect(Catalog.isIncrease(from: nil, to: "v1"))
        #expect(!Catalog.isIncrease(from: "v2", to: "v2"))
        #expect(!Catalog.isIncrease(from: "v3", to: "v2"))
        #expect(!Catalog.isIncrease(from: "v1", to: nil))
    }
}
