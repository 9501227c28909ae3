import Foundation
import MyceliumKit
import MyceliumTestSupport
import Testing

@testable import mycelium

/// `mycelium serve --metrics`, scraped over HTTP like Prometheus would.
@Suite struct ServeMetricsTests {
    let cli: CLI
    init() throws { cli = try CLI() }

    private static let frameBytes = 6 + 1024

    @Test func countersEqualWhatWasSentAndSurviveConnectionsClosing() async throws {
        let serve = try await ServeProcess(cli, ["--pool", "system", "--tcp", "127.0.0.1:0", "--metrics", "127.0.0.1:0"])
        let metrics = try #require(serve.metricsAddress)
        let before = try await HTTPExchange.send("GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n", to: metrics)
        #expect(before.status == 200 && before.sample("mycelium_messages_received_total") == 0)
        #expect(before.sample("mycelium_build_info{version=\"\(MyceliumVersion.current)\"}") == 1)

        do {
            // BenchFrame (1001) from the bundled contracts: 7 frames to 2 subscribers.
            let subscribers = try await TestClient.connect(2, to: serve.addresses[0])
            for subscriber in subscribers { try await subscriber.subscribe([1001]) }
            let publisher = try await TestClient(serve.addresses[0])
            let payload = [UInt8](repeating: 7, count: 1024)
            for _ in 0..<7 { try await publisher.send(typeID: 1001, payload: payload) }
            for subscriber in subscribers {
                for _ in 0..<7 { #expect(try await subscriber.readFrame().payload == payload) }
            }
            let open = try await scrape(metrics, until: "mycelium_messages_delivered_total", is: 14)
            #expect(open.sample("mycelium_messages_received_total") == 7)
            #expect(open.sample("mycelium_connections") == 3 && open.sample("mycelium_subscriptions") == 2)
            #expect(open.sample("mycelium_bytes_received_total") == Double(2 * 22 + 7 * Self.frameBytes))
            #expect(open.sample("mycelium_bytes_sent_total") == Double(2 * (14 + 7 * Self.frameBytes)))
            #expect(open.sample("mycelium_pool_acquires_total{class=\"65536\"}") ?? 0 > 0)
        }
        let closed = try await scrape(metrics, until: "mycelium_connections_closed_total{reason=\"peer\"}", is: 3)
        #expect(closed.sample("mycelium_connections") == 0 && closed.sample("mycelium_subscriptions") == 0)
        #expect(closed.sample("mycelium_messages_received_total") == 7, "totals survive the connections")
        #expect(closed.sample("mycelium_messages_delivered_total") == 14)
        #expect(closed.sample("mycelium_connections_opened_total") == 3)
        #expect(closed.sample("mycelium_messages_dropped_total{reason=\"slow_consumer\"}") == 0)
        #expect(closed.sample("mycelium_pending_bytes") == 0 && closed.sample("mycelium_slow_consumers_total") == 0)
        #expect(closed.sample("process_resident_memory_bytes") ?? 0 > 1_000_000)
        #expect(closed.sample("process_open_fds") ?? 0 > 3)
        #expect(closed.body.contains("# TYPE mycelium_messages_received_total counter"))

        let bad = try await HTTPExchange.send("NOT HTTP\r\n\r\n", to: metrics)
        #expect(bad.status == 400)
        let subscriber = try await TestClient(serve.addresses[0])
        try await subscriber.subscribe([1001])
        #expect(try await HTTPExchange.send("GET /metrics HTTP/1.1\r\n\r\n", to: metrics).status == 200)
        #expect(try await serve.stop(SIGTERM) == 0)
    }

    @Test func aMetricsAddressThatIsNotHostPortIsRefused() async throws {
        let result = try await cli.run("serve", "--tcp", "127.0.0.1:0", "--metrics", "nowhere")
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: --metrics "), "\(result.stderr)")
    }

    /// Scrapes until the sample `name` is `value` (at most 20 s).
    private func scrape(_ address: SocketAddress, until name: String, is value: Double) async throws -> HTTPExchange {
        try await eventually(
            "\(name) = \(value)", { try await HTTPExchange.send("GET /metrics HTTP/1.1\r\n\r\n", to: address) },
            until: { $0.sample(name) == value })
    }
}
