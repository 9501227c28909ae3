import ContractStore
import Foundation
import Glibc
import MyceliumKit
import MyceliumTestSupport
import Testing

/// A BenchFrame (1001, up to 1024 bytes) payload carrying `sequence`: its 8 little-endian
/// bytes, then `sequence % 1000` bytes of filler, so that sizes vary.
private func benchPayload(_ sequence: Int) -> [UInt8] {
    withUnsafeBytes(of: UInt64(sequence).littleEndian, Array.init)
        + [UInt8](repeating: UInt8(truncatingIfNeeded: sequence), count: sequence % 1000)
}

@Suite("the client and the CLI against a real mycelium serve process")
struct ServeEndToEndTests {
    let cli: CLI
    init() throws { cli = try CLI() }

    private func serve() async throws -> ServeProcess {
        let serve = try await ServeProcess(cli, ["--tcp", "127.0.0.1:0", "--unix", cli.path("bus.sock")])
        try #require(serve.addresses.count == 2, "serve did not start: \(serve.stderr)")
        return serve
    }

    @Test("MyceliumClient publishes and subscribes through serve, with the catalog's digest", arguments: ["tcp", "unix"])
    func clientRoundTrip(transport: String) async throws {
        let serve = try await serve()
        let address = serve.addresses[transport == "tcp" ? 0 : 1]
        let digest = try Catalog(path: cli.path("mycelium.db")).digest()
        let subscriber = try await MyceliumClient.connect(to: address, name: "e2e-subscriber", digest: digest, options: .forTests)
        let publisher = try await MyceliumClient.connect(to: address, name: "e2e-publisher", digest: digest, options: .forTests)
        let stream = try await subscriber.subscribe([1001])
        let total = 2000
        for sequence in 1...total { try await publisher.publish(typeID: 1001, payload: benchPayload(sequence)) }
        try await publisher.close()
        let received = try await stream.collect(total).map(\.payload)
        #expect(received.count == total)
        #expect(received == (1...total).map(benchPayload), "every message whole and in order")
        let stats = try await subscriber.stats()
        #expect(stats.messagesIn == total && stats.pool.name == "arena")
        try await subscriber.close()
        #expect(try await serve.stop(SIGTERM) == 0, "\(serve.stderr)")
    }

    @Test("publish reading JSON lines from stdin, piped into subscribe --count N, through serve: exact lines out")
    func publishStdinIntoSubscribe() async throws {
        let serve = try await serve()
        let total = 300
        let messages = (1...total).map {
            #"{"instrument_id":\#($0),"price":-\#($0 * 3),"quantity":\#($0 * 1_000_000_007),"side":\#($0 % 2),"timestamp_ns":\#(1_700_000_000_000_000_000 + $0)}"#
        }
        let subscriber = try RunningCLI(cli, "subscribe", "Trade", "--unix", cli.path("bus.sock"), "--count", "\(total)")
        try await subscriber.waitForStderr("subscribed to Trade (1101)")
        let publish = try await cli.run(
            "publish", "Trade", "--tcp", serve.addresses[0].description, input: messages.joined(separator: "\n") + "\n")
        #expect(publish.status == 0, "\(publish.stderr)")
        let result = try await subscriber.finish()
        #expect(result.status == 0, "\(result.stderr)")
        let expected = messages.map { #"{"type":"Trade","type_id":1101,"message":\#($0)}"# }
        #expect(result.stdout.split(separator: "\n").map(String.init) == expected)
        #expect(result.stdout.hasSuffix("\n"))
        #expect(try await serve.stop(SIGTERM) == 0, "\(serve.stderr)")
    }

    @Test("SIGKILL of serve ends a MyceliumClient stream with connectionLost, and calls after it fail the same")
    func killedBrokerEndsClientStream() async throws {
        let serve = try await serve()
        let client = try await MyceliumClient.connect(to: serve.addresses[1], name: "e2e-victim", options: .forTests)
        let stream = try await client.subscribe([1001])
        try await client.publish(typeID: 1001, payload: benchPayload(1))
        #expect(try await stream.collect(1).map(\.payload) == [benchPayload(1)], "subscribed and delivering before the kill")
        let reader = Task { try await stream.collect(1_000_000, seconds: 20) }
        #expect(try await serve.stop(SIGKILL) == nil, "killed, not exited")
        let result = await reader.result
        guard case .failure(let error as MyceliumClientError) = result, error.code == .connectionLost else {
            Issue.record("expected the stream to end with connectionLost, got \(result)")
            return
        }
        #expect(error.brokerError == nil, "a killed broker sends no ERROR")
        #expect(error.description.contains("the connection to the broker was lost"))
        do {
            _ = try await client.ping()
            Issue.record("a ping after the loss succeeded")
        } catch let later {
            #expect(later as? MyceliumClientError == error, "later calls fail with the same error")
        }
        do {
            try await client.close()
            Issue.record("close did not report the loss")
        } catch let closing {
            #expect(closing as? MyceliumClientError == error, "nothing confirmed the publish: close reports the loss")
        }
    }

    @Test("SIGKILL of serve ends mycelium subscribe with status 1 and a one-line error")
    func killedBrokerEndsSubscribeCommand() async throws {
        let serve = try await serve()
        let subscriber = try RunningCLI(cli, "subscribe", "Trade", "--tcp", serve.addresses[0].description)
        try await subscriber.waitForStderr("subscribed to Trade (1101)")
        #expect(try await serve.stop(SIGKILL) == nil, "killed, not exited")
        let result = try await subscriber.finish()
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: the connection to the broker was lost: the broker closed the connection"))
        #expect(result.stdout.isEmpty)
    }
}
