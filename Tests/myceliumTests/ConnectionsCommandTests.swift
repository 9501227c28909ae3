import Foundation
import MyceliumKit
import MyceliumTestSupport
import Testing

@testable import mycelium

@Suite struct ConnectionsCommandTests {
    let cli: CLI
    init() throws { cli = try CLI() }

    /// A connection that said HELLO with `name` and read the broker's HELLO.
    private func named(_ name: String, _ address: SocketAddress) async throws -> TestClient {
        let client = try await TestClient(address)
        try await client.send(.hello(Hello(peerName: name)))
        #expect(try await client.readFrame().typeID == ControlFrameType.hello.rawValue)
        return client
    }

    private func entries(_ arguments: String...) async throws -> [[String: Any]] {
        let result = try await cli.run(arguments: ["connections", "--json"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return try CLI.json(result.stdout)["connections"] as? [[String: Any]] ?? []
    }

    @Test func listsSortsAndLimitsTheBrokersConnections() async throws {
        let serve = try await ServeProcess(cli, ["--pool", "system", "--tcp", "127.0.0.1:0"])
        let address = serve.addresses[0]
        // BenchFrame (1001) from the bundled contracts.
        let reader = try await named("reader", address)
        try await reader.subscribe([1001])
        let publisher = try await named("publisher", address)
        let quiet = try await named("quiet", address)
        let payload = [UInt8](repeating: 7, count: 1024)
        for _ in 0..<3 { try await publisher.send(typeID: 1001, payload: payload) }
        for _ in 0..<3 { #expect(try await reader.readFrame().payload == payload) }

        let all = try await entries("--tcp", address.description)
        #expect(
            all.compactMap { $0["name"] as? String } == ["reader", "publisher", "quiet", "mycelium connections"],
            "by id, the asker last")
        #expect(all.count == 4)
        #expect(all.first?["subscriptions"] as? [Int] == [1001])

        let busiestOut = try await entries("--tcp", address.description, "--sort", "msgs_out", "--limit", "1")
        #expect(busiestOut.count == 1 && busiestOut[0]["name"] as? String == "reader")
        #expect(busiestOut[0]["messages_out"] as? Int == 3 && busiestOut[0]["bytes_out"] as? Int ?? 0 >= 3 * 1030)
        let busiestIn = try await entries("--tcp", address.description, "--sort", "msgs_in", "--limit", "2")
        #expect(busiestIn.first?["name"] as? String == "publisher" && busiestIn.first?["messages_in"] as? Int == 3)
        #expect(busiestIn.count == 2)
        let oldest = try await entries("--tcp", address.description, "--sort", "age", "--limit", "1")
        #expect(oldest.first?["name"] as? String == "reader")

        let table = try await cli.run("connections", "--tcp", address.description)
        #expect(table.status == 0)
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.first?.hasPrefix("ID  NAME                  PEER") == true, "\(table.stdout)")
        #expect(lines.contains { $0.contains(" reader ") && $0.contains(" tcp ") && $0.contains(" 1001 ") })
        _ = quiet
        #expect(try await serve.stop(SIGINT) == 0)
    }

    @Test func refusesALimitBelowOneAndAnUnknownSortKey() async throws {
        let limit = try await cli.run("connections", "--limit", "0")
        #expect(limit.status != 0 && limit.stderr.contains("--limit must be at least 1, not 0"))
        let sort = try await cli.run("connections", "--sort", "speed")
        #expect(sort.status != 0 && sort.stderr.contains("The value 'speed' is invalid for '--sort <sort>'"), "\(sort.stderr)")
    }
}
