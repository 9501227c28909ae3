import Foundation
import Glibc
import Testing

/// Messages of the bundled contracts as `publish` takes them and `subscribe --json` prints them.
enum Samples {
    static let trade = #"{"instrument_id":7,"price":-5,"quantity":3,"side":1,"timestamp_ns":9}"#
    static let tradeLine = #"{"type":"Trade","type_id":1101,"message":\#(trade)}"#
    static let quote = #"{"instrument_id":7,"bid_price":100,"ask_price":101,"bid_size":5,"ask_size":6,"timestamp_ns":10}"#
    static let quoteLine = #"{"type":"Quote","type_id":1102,"message":\#(quote)}"#
}

@Suite("mycelium subscribe")
struct SubscribeCommandTests {
    @Test("publish piped into subscribe across two real processes, JSON lines in, exact lines out")
    func publishIntoSubscribe() async throws {
        try await TestBroker.with { address in
            let cli = try CLI()
            let subscriber = try RunningCLI(cli, "subscribe", "Trade", "1102", "--tcp", address, "--count", "2")
            try await subscriber.waitForStderr("subscribed to Trade (1101), Quote (1102) at \(address)")
            let trade = try await cli.run("publish", "Trade", "--json", Samples.trade, "--tcp", address)
            #expect(trade.status == 0, "\(trade.stderr)")
            try await subscriber.waitForLines(1)
            let quote = try await cli.run("publish", "1102", "--json", Samples.quote, "--tcp", address)
            #expect(quote.status == 0, "\(quote.stderr)")
            let result = try await subscriber.finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == Samples.tradeLine + "\n" + Samples.quoteLine + "\n")
        }
    }

    @Test("JSON round trip of Address, uint256 (literal and hex), uint128, int32, uint64, FixedStr and FixedVec<Address, 4>")
    func roundTripOfManyFieldTypes() async throws {
        let input = """
            {"pool_address":"0x00112233445566778899AABBCCDDEEFF00112233",\
            "reserve0":115792089237316195423570985008687907853269984665640564039457584007913129639935,\
            "reserve1":"0x10","liquidity":"340282366920938463463374607431768211455","tick":-42,\
            "block_number":18446744073709551615,"symbol":"WETH/USDC ✓",\
            "path":["0x0000000000000000000000000000000000000001"]}
            """
        let zeroAddress = "\"0x" + String(repeating: "0", count: 40) + "\""
        let expected = """
            {"type":"PoolStateUpdate","type_id":1103,"message":{"pool_address":"0x00112233445566778899aabbccddeeff00112233",\
            "reserve0":"115792089237316195423570985008687907853269984665640564039457584007913129639935",\
            "reserve1":"16","liquidity":"340282366920938463463374607431768211455","tick":-42,\
            "block_number":18446744073709551615,"symbol":"WETH/USDC ✓",\
            "path":["0x0000000000000000000000000000000000000001",\(zeroAddress),\(zeroAddress),\(zeroAddress)]}}
            """
        try await TestBroker.with { address in
            let cli = try CLI()
            let subscriber = try RunningCLI(cli, "subscribe", "PoolStateUpdate", "--json", "--tcp", address, "--count", "1")
            try await subscriber.waitForStderr("subscribed to")
            let published = try await cli.run("publish", "PoolStateUpdate", "--json", input, "--tcp", address)
            #expect(published.status == 0, "\(published.stderr)")
            let result = try await subscriber.finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == expected + "\n")
        }
    }

    @Test("--raw prints the type id and the little-endian payload in hex")
    func raw() async throws {
        try await TestBroker.with { address in
            let cli = try CLI()
            let subscriber = try RunningCLI(cli, "subscribe", "Trade", "--raw", "--tcp", address, "--count", "1")
            try await subscriber.waitForStderr("subscribed to")
            #expect(try await cli.run("publish", "Trade", "--json", Samples.trade, "--tcp", address).status == 0)
            let result = try await subscriber.finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "1101 07000000" + "fbffffffffffffff" + "0300000000000000" + "01" + "0900000000000000\n")
        }
    }

    @Test("--count N exits 0 after N messages even when more arrive")
    func countStops() async throws {
        try await TestBroker.with { address in
            let cli = try CLI()
            let subscriber = try RunningCLI(cli, "subscribe", "Trade", "--tcp", address, "--count", "2")
            try await subscriber.waitForStderr("subscribed to")
            let published = try await cli.run("publish", "Trade", "--json", Samples.trade, "--count", "5", "--tcp", address)
            #expect(published.status == 0, "\(published.stderr)")
            let result = try await subscriber.finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == String(repeating: Samples.tradeLine + "\n", count: 2))
        }
    }

    @Test("SIGINT and SIGTERM end subscribe with status 0, keeping what it printed", arguments: [SIGINT, SIGTERM])
    func signalExitsZero(signal: Int32) async throws {
        try await TestBroker.with { address in
            let cli = try CLI()
            let subscriber = try RunningCLI(cli, "subscribe", "Trade", "--tcp", address)
            try await subscriber.waitForStderr("subscribed to")
            #expect(try await cli.run("publish", "Trade", "--json", Samples.trade, "--tcp", address).status == 0)
            try await subscriber.waitForLines(1)
            subscriber.send(signal)
            let result = try await subscriber.finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == Samples.tradeLine + "\n")
        }
    }

    @Test("an unreachable broker is a one-line error naming the address")
    func unreachableBroker() async throws {
        try await TestBroker.withRefusingAddress { address in
            let result = try await CLI().run("subscribe", "Trade", "--tcp", address)
            #expect(result.status == 1)
            #expect(result.stderr == "error: cannot connect to \(address): connection refused; is `mycelium serve` running?\n")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test("an unknown message name is refused before connecting, naming the known ones")
    func unknownMessage() async throws {
        let result = try await CLI().run("subscribe", "Trade", "Nope")
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix(
                "error: catalog ./mycelium.db (not found; using the bundled contracts): has no message named or numbered 'Nope'"))
        #expect(result.stderr.contains("known: BenchFrame, Trade"))
    }
}
