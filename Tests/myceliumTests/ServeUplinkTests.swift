import Foundation
import MyceliumKit
import MyceliumTestSupport
import Testing

/// `mycelium serve --uplink`: two serve processes sharing BenchFrame through a real nats-server.
@Suite(.enabled(if: NATSServer.isInstalled, "needs /usr/sbin/nats-server (apt-get install nats-server)"))
struct ServeUplinkTests {
    let cli: CLI
    init() throws { cli = try CLI() }

    @Test func twoServesShareMessagesAndReportTheUplink() async throws {
        let nats = try await NATSServer()
        try cli.write(
            "b.yaml",
            """
            pool: system
            tcp: 127.0.0.1:0
            uplink: [\(nats.url)]
            uplink-types: [BenchFrame]
            uplink-prefix: bus
            uplink-buffer: 1MiB
            """)
        let a = try await ServeProcess(
            cli,
            [
                "--pool", "system", "--tcp", "127.0.0.1:0", "--uplink", nats.url, "--uplink-types", "BenchFrame,Trade",
                "--uplink-prefix", "bus",
            ])
        let b = try await ServeProcess(cli, ["--config", cli.path("b.yaml")])
        try await waitUntil("both serves connected", timeout: .seconds(20), detail: a.stderr + b.stderr) {
            a.stderr.contains("uplink connected to \(nats.url)") && b.stderr.contains("uplink connected to \(nats.url)")
        }
        let subscriber = try await TestClient(b.addresses[0])
        try await subscriber.subscribe([1001])
        try await nats.waitForSubscription("bus.BenchFrame", clients: 1)
        let publisher = try await TestClient(a.addresses[0])
        let payload = [UInt8](repeating: 7, count: 1024)
        try await publisher.send(typeID: 1001, payload: payload)
        #expect(try await subscriber.readFrame() == .init(typeID: 1001, payload: payload))

        let table = try await cli.run("stats", "--tcp", a.addresses[0].description)
        #expect(table.status == 0)
        #expect(
            table.stdout.contains(
                "uplink connected \(nats.url)  messages out 1  in 0  dropped 0  rejected 0  reconnects 0  unwanted 0"),
            "\(table.stdout)")
        let json = try await cli.run("stats", "--tcp", b.addresses[0].description, "--json")
        let uplink = try CLI.json(json.stdout)["uplink"] as? [String: Any]
        #expect(uplink?["state"] as? String == "connected" && uplink?["messages_in"] as? Int == 1)
        #expect(uplink?["server"] as? String == nats.url)
        #expect(try await a.stop() == 0, "\(a.stderr)")
        #expect(try await b.stop() == 0, "\(b.stderr)")
        #expect(b.stderr.contains("uplink disconnected from \(nats.url): the broker is stopping"))
        try await nats.stop()
    }

    @Test(arguments: [
        (["--uplink", "http://h:1"], "--uplink 'http://h:1' uses scheme 'http'; the uplink speaks only nats://"),
        (["--uplink", "tls://h:4222"], "--uplink 'tls://h:4222': TLS is not supported by the uplink"),
        (
            ["--uplink", "nats://127.0.0.1:4222", "--uplink-types", "Nope"],
            "--uplink-types: 'Nope' is not a message in the catalog; known: "
        ),
        (
            ["--uplink", "nats://127.0.0.1:4222", "--uplink-prefix", "a.*"],
            "uplink prefix 'a.*' is not a NATS subject; use dot-separated words without spaces or wildcards"
        ),
        (["--uplink", "nats://127.0.0.1:4222", "--uplink-buffer", "lots"], "--uplink-buffer 'lots' is not a byte count"),
        (
            ["--uplink", "nats://127.0.0.1:4222", "--uplink-probe-interval", "soon"],
            "--uplink-probe-interval 'soon' is not a duration; write seconds (5, 2.5s) or milliseconds (500ms)"
        ),
        (
            ["--uplink-types", "Trade"],
            "--uplink-types, --uplink-prefix, --uplink-buffer and --uplink-probe-interval need a NATS server: add --uplink nats://HOST:PORT"
        ),
        (
            ["--uplink-probe-interval", "2s"],
            "--uplink-types, --uplink-prefix, --uplink-buffer and --uplink-probe-interval need a NATS server: add --uplink nats://HOST:PORT"
        ),
    ])
    func badUplinkOptionsAreNamed(arguments: [String], message: String) async throws {
        let result = try await cli.run(arguments: ["serve", "--tcp", "127.0.0.1:0", "--pool", "system"] + arguments)
        #expect(result.status == 1)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
