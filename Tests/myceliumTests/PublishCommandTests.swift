import Foundation
import Glibc
import Testing

@Suite("mycelium publish")
struct PublishCommandTests {
    @Test("stdin JSON lines: bare objects of the named message, blank lines, and subscribe --json lines naming their own type")
    func stdinLines() async throws {
        try await TestBroker.with { address in
            let cli = try CLI()
            let subscriber = try RunningCLI(cli, "subscribe", "Trade", "Quote", "--tcp", address, "--count", "4")
            try await subscriber.waitForStderr("subscribed to")
            let byID = #"{"type_id":1102,"message":\#(Samples.quote)}"#
            let input = [Samples.trade, "", Samples.quoteLine, byID, Samples.tradeLine].joined(separator: "\n") + "\n"
            let published = try await cli.run("publish", "Trade", "--tcp", address, input: input)
            #expect(published.status == 0, "\(published.stderr)")
            let result = try await subscriber.finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(
                result.stdout
                    == [Samples.tradeLine, Samples.quoteLine, Samples.quoteLine, Samples.tradeLine, ""].joined(separator: "\n"))
        }
    }

    @Test("subscribe's output piped into publish (no message argument) republishes the same messages")
    func bridgeSubscribeOutput() async throws {
        try await TestBroker.with { address in
            let cli = try CLI()
            let subscriber = try RunningCLI(cli, "subscribe", "Trade", "Quote", "--tcp", address, "--count", "2")
            try await subscriber.waitForStderr("subscribed to")
            let lines = Samples.tradeLine + "\n" + Samples.quoteLine + "\n"
            let published = try await cli.run("publish", "--tcp", address, input: lines)
            #expect(published.status == 0, "\(published.stderr)")
            let result = try await subscriber.finish()
            #expect(result.stdout == lines)
        }
    }

    @Test("--count N publishes the message N times, --rate paces them")
    func countAndRate() async throws {
        try await TestBroker.with { address in
            let cli = try CLI()
            let subscriber = try RunningCLI(cli, "subscribe", "Trade", "--tcp", address, "--count", "5")
            try await subscriber.waitForStderr("subscribed to")
            let published = try await cli.run(
                "publish", "Trade", "--json", Samples.trade, "--count", "5", "--rate", "500", "--tcp", address)
            #expect(published.status == 0, "\(published.stderr)")
            let result = try await subscriber.finish()
            #expect(result.stdout == String(repeating: Samples.tradeLine + "\n", count: 5))
        }
    }

    @Test("SIGINT ends publish with status 0 while it waits for stdin, after what it sent was delivered")
    func signalExitsZero() async throws {
        try await TestBroker.with { address in
            let cli = try CLI()
            let subscriber = try RunningCLI(cli, "subscribe", "Trade", "--tcp", address, "--count", "1")
            try await subscriber.waitForStderr("subscribed to")
            let publisher = try RunningCLI(cli, "publish", "Trade", "--tcp", address)
            try publisher.write(Samples.trade + "\n")
            // Delivered: publish is past connecting, in its read loop, with its handler installed.
            let received = try await subscriber.finish()
            #expect(received.stdout == Samples.tradeLine + "\n")
            publisher.send(SIGINT)
            let result = try await publisher.finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.isEmpty)
        }
    }

    @Test("a codec error names the stdin line and the field; the lines before it are delivered, none after")
    func codecErrorOnStdinLine() async throws {
        try await TestBroker.with { address in
            let cli = try CLI()
            let subscriber = try RunningCLI(cli, "subscribe", "Trade", "Quote", "--tcp", address)
            try await subscriber.waitForStderr("subscribed to")
            let bad = #"{"instrument_id":7,"price":-5,"quantity":3,"side":300,"timestamp_ns":9}"#
            let input = [Samples.trade, bad, Samples.quoteLine].joined(separator: "\n") + "\n"
            let result = try await cli.run("publish", "Trade", "--tcp", address, input: input)
            #expect(result.status == 1)
            #expect(result.stderr == "error: stdin line 2: field side: 300 is out of range for uint8 (0 to 255)\n")
            // Sent after the first publish flushed and exited: the next line, unless its line 3 leaked out.
            let sentinel = #"{"instrument_id":8,"price":1,"quantity":1,"side":0,"timestamp_ns":1}"#
            #expect(try await cli.run("publish", "Trade", "--json", sentinel, "--tcp", address).status == 0)
            try await subscriber.waitForLines(2)
            subscriber.send(SIGINT)
            let received = try await subscriber.finish()
            let sentinelLine = #"{"type":"Trade","type_id":1101,"message":\#(sentinel)}"#
            #expect(received.stdout == Samples.tradeLine + "\n" + sentinelLine + "\n")
        }
    }

    @Test("--json errors are found before connecting: a codec error naming the field, invalid JSON, an unknown message")
    func jsonErrorsWithoutBroker() async throws {
        let cli = try CLI()
        let missing = try await cli.run("publish", "Trade", "--json", #"{"instrument_id":7}"#)
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: --json: field price: missing"), "\(missing.stderr)")
        let unknownField = try await cli.run("publish", "Trade", "--json", #"{"instrument_id":7,"colour":1}"#)
        #expect(unknownField.stderr.hasPrefix("error: --json: field colour: Trade has no such field"), "\(unknownField.stderr)")
        let invalid = try await cli.run("publish", "Trade", "--json", "{nope")
        #expect(invalid.status == 1)
        #expect(invalid.stderr.hasPrefix("error: --json: "), "\(invalid.stderr)")
        let unknown = try await cli.run("publish", "Nope", "--json", "{}")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("has no message named or numbered 'Nope'"), "\(unknown.stderr)")
        #expect(!unknown.stderr.contains("Fatal error"))
    }

    @Test("a bare object on stdin without a message argument, and a line whose type and type_id disagree, are errors")
    func stdinLinesThatCannotBeTyped() async throws {
        try await TestBroker.with { address in
            let cli = try CLI()
            let bare = try await cli.run("publish", "--tcp", address, input: Samples.trade + "\n")
            #expect(bare.status == 1)
            #expect(bare.stderr.hasPrefix("error: stdin line 1: a message object needs the message name or type id"))
            let mixed = #"{"type":"Quote","type_id":1101,"message":\#(Samples.trade)}"#
            let disagree = try await cli.run("publish", "--tcp", address, input: mixed + "\n")
            #expect(disagree.status == 1)
            #expect(
                disagree.stderr
                    == "error: stdin line 1: type_id 1101 is Trade in the catalog, not Quote; fix \"type\" or \"type_id\"\n")
        }
    }

    @Test("an unreachable broker is a one-line error naming the address")
    func unreachableBroker() async throws {
        try await TestBroker.withRefusingAddress { address in
            let result = try await CLI().run("publish", "Trade", "--json", Samples.trade, "--tcp", address)
            #expect(result.status == 1)
            #expect(result.stderr == "error: cannot connect to \(address): connection refused; is `mycelium serve` running?\n")
        }
    }

    @Test("an ERROR frame from the broker (a catalog whose digest differs from the broker's) is reported with its code")
    func brokerErrorFrame() async throws {
        try await TestBroker.with { address in
            let cli = try CLI()
            let contracts = try cli.write("other.yaml", "messages:\n  Ping:\n    tlv_type: 5000\n    fields:\n      n: uint64\n")
            #expect(try await cli.run("import", contracts).status == 0)
            let result = try await cli.run("publish", "Ping", "--json", #"{"n":1}"#, "--tcp", address)
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("error: the broker reported ERROR 5"), "\(result.stderr)")
        }
    }
}
