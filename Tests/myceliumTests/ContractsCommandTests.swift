import Foundation
import Testing

@Suite struct ContractsCommandTests {
    let cli: CLI

    init() async throws {
        cli = try CLI()
        let result = try await cli.run("import", CLI.bundledContracts)
        #expect(result.status == 0)
    }

    @Test func listPrintsATable() async throws {
        let result = try await cli.run("contracts", "list")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "TYPE  NAME               DOMAIN      FIELDS  BYTES  CLASS")
        #expect(lines.contains("1101  Trade              MarketData       5     29    128"))
        #expect(lines.last?.hasPrefix("10 messages, catalog digest ") == true)
    }

    @Test func listJSONHasTheDocumentedShape() async throws {
        let result = try await cli.run("contracts", "list", "--json")
        #expect(result.status == 0)
        let json = try CLI.json(result.stdout)
        let digest = try #require(json["digest"] as? String)
        #expect(digest.count == 64 && digest.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        let messages = try #require(json["messages"] as? [[String: Any]])
        #expect(messages.count == 10)
        let bench = try #require(messages.first)
        #expect(bench["name"] as? String == "BenchFrame")
        #expect(bench["type_id"] as? Int == 1001)
        #expect(bench["domain"] as? String == "Bench")
        #expect(bench["max_size"] as? Int == 1024)
        #expect(bench["size_class"] as? Int == 1024)
        #expect(messages.compactMap { $0["type_id"] as? Int } == messages.compactMap { $0["type_id"] as? Int }.sorted())
    }

    @Test func showByNameAndByTypeIDPrintTheFields() async throws {
        let byName = try await cli.run("contracts", "show", "PoolStateUpdate")
        let byID = try await cli.run("contracts", "show", "1103")
        #expect(byName.status == 0)
        #expect(byName.stdout == byID.stdout)
        let lines = byName.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "PoolStateUpdate (type 1103, MarketData, schema_version v2): 224 bytes, class 256")
        #expect(lines[1] == "DEX pool state update")
        #expect(lines[2] == "#  FIELD         TYPE                  DECLARED  OFFSET  SIZE")
        #expect(lines[5] == "2  reserve1      uint256               U256          52    32")
        #expect(lines[9] == "6  symbol        FixedStr<32>                       112    32")
    }

    @Test func showJSONHasOffsetsSizesAndCanonicalTypes() async throws {
        let result = try await cli.run("contracts", "show", "RiskLimitBreach", "--json")
        #expect(result.status == 0)
        let json = try CLI.json(result.stdout)
        #expect(json["type_id"] as? Int == 1202)
        #expect(json["max_size"] as? Int == 103)
        let fields = try #require(json["fields"] as? [[String: Any]])
        #expect(
            fields.map { $0["name"] as? String } == ["account", "limit_id", "exposure", "limit", "pnl", "breached", "tx_hash"])
        #expect(fields[0]["type"] as? String == "FixedVec<uint8, 20>")
        #expect(fields[0]["declared_type"] as? String == "[u8; 20]")
        #expect(fields.map { $0["offset"] as? Int } == [0, 20, 22, 38, 54, 70, 71])
        #expect(fields.map { $0["size"] as? Int } == [20, 2, 16, 16, 16, 1, 32])
    }

    @Test func unknownMessageIsAUserError() async throws {
        let result = try await cli.run("contracts", "show", "Nope")
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix(
                "error: catalog ./mycelium.db: has no message named or numbered 'Nope'; known: BenchFrame, Trade"))
    }

    @Test func listOfANamedCatalogThatDoesNotExistSaysHowToCreateIt() async throws {
        let result = try await cli.run("contracts", "list", "--catalog", "empty.db")
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "error: no catalog at empty.db (from --catalog); create it with mycelium import CONTRACTS.yaml "
                + "--catalog empty.db, or leave --catalog out to use ./mycelium.db or the contracts built into mycelium\n")
        #expect(!FileManager.default.fileExists(atPath: cli.path("empty.db")))
    }
}
