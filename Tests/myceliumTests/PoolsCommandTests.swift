import Foundation
import Testing

@Suite struct PoolsCommandTests {
    let cli: CLI
    init() throws { cli = try CLI() }

    @Test func poolsListsEveryBuiltInWithWhenToPickIt() async throws {
        let result = try await cli.run("pools")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("POOL      WHEN TO PICK IT") == true)
        #expect(lines.dropFirst().map { String($0.prefix { $0 != " " }) } == ["arena", "lockfree", "mutex", "system"])
        #expect(lines.contains { $0.hasPrefix("system") && $0.contains("AddressSanitizer") })
    }

    @Test func poolsJSONHasTheDocumentedShape() async throws {
        let result = try await cli.run("pools", "--json")
        #expect(result.status == 0)
        let pools = try #require(try CLI.json(result.stdout)["pools"] as? [[String: Any]])
        #expect(pools.compactMap { $0["name"] as? String } == ["arena", "lockfree", "mutex", "system"])
        #expect(pools.allSatisfy { ($0["description"] as? String)?.isEmpty == false })
        #expect(pools.allSatisfy { $0.count == 2 })
    }
}
