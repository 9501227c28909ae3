import Foundation
import MyceliumKit
import MyceliumTestSupport
import Testing

@testable import mycelium

@Suite struct ServeCommandTests {
    let cli: CLI
    init() throws { cli = try CLI() }

    @Test func servesTheBundledContractsAndStopsCleanlyOnSIGTERM() async throws {
        let serve = try await ServeProcess(cli, ["--tcp", "127.0.0.1:0", "--unix", cli.path("bus.sock")])
        #expect(serve.listeningLine.hasPrefix("listening tcp=127.0.0.1:"))
        #expect(serve.listeningLine.hasSuffix(" unix=\(cli.path("bus.sock"))"))
        #expect(serve.stderr.contains("created catalog ./mycelium.db from the bundled contracts"))
        #expect(serve.stderr.contains("broker started") && serve.stderr.contains("pool=arena"))
        #expect(serve.stderr.contains("1024×64"), "the start-up line lists the classes")

        // BenchFrame (1001) from the bundled contracts, over TCP to a Unix subscriber.
        let subscriber = try await TestClient(serve.addresses[1])
        try await subscriber.subscribe([1001])
        let publisher = try await TestClient(serve.addresses[0])
        let payload = [UInt8](repeating: 7, count: 1024)
        try await publisher.send(typeID: 1001, payload: payload)
        #expect(try await subscriber.readFrame() == .init(typeID: 1001, payload: payload))

        let stats = try await cli.run("stats", "--unix", cli.path("bus.sock"), "--json")
        #expect(stats.status == 0)
        let document = try CLI.json(stats.stdout)
        #expect(document["messages_in"] as? Int == 1 && document["messages_out"] as? Int == 1)
        #expect((document["pool"] as? [String: Any])?["name"] as? String == "arena", "arena is the default pool")

        #expect(try await serve.stop(SIGTERM) == 0)
        #expect(try await subscriber.expectError(.shuttingDown).contains("shutting down"), "ERROR 8 on shutdown")
        #expect(serve.stdout.contains("stopped: 2 connections closed, messages in=1 out=1"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("bus.sock")))
    }

    @Test func statsPrintsATable() async throws {
        let serve = try await ServeProcess(cli, ["--pool", "system", "--tcp", "127.0.0.1:0"])
        let result = try await cli.run("stats", "--tcp", serve.addresses[0].description)
        #expect(result.status == 0)
        #expect(result.stdout.contains("connections 1  messages in 0  out 0  slow consumers 0  dropped 0"))
        #expect(result.stdout.contains("pool system  in use"))
        #expect(result.stdout.contains(" SIZE  CAPACITY  IN_USE"))
        #expect(try await serve.stop(SIGINT) == 0)
    }

    @Test func statsSaysWhenNoBrokerAnswers() async throws {
        let result = try await cli.run("stats", "--unix", cli.path("nobody.sock"))
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "error: cannot connect to \(cli.path("nobody.sock")): no such file or directory; is `mycelium serve` running?\n"
        )
    }

    @Test func serveAndStatsResolveLocalhostAlike() async throws {
        let serve = try await ServeProcess(cli, ["--pool", "system", "--tcp", "localhost:0"])
        guard case .tcp(let host, let port) = try #require(serve.addresses.first) else {
            Issue.record("expected a TCP listener, got \(serve.listeningLine)")
            return
        }
        #expect(host == "localhost" && port != 0)
        let stats = try await cli.run("stats", "--tcp", "localhost:\(port)", "--json")
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(try CLI.json(stats.stdout)["connections"] as? Int == 1)
        #expect(try await serve.stop() == 0)
    }

    @Test func flagsWinOverTheConfigFile() async throws {
        try cli.write(
            "serve.yaml",
            """
            pool: no-such-pool
            unix: \(cli.path("from-config.sock"))
            max-pending: 2MiB
            slow-consumer: drop-oldest
            drain-timeout: 500ms
            trim-interval: 2s
            """)
        let serve = try await ServeProcess(cli, ["--config", cli.path("serve.yaml"), "--pool", "system"])
        #expect(serve.listeningLine == "listening unix=\(cli.path("from-config.sock"))")
        #expect(try await serve.stop() == 0)
    }

    @Test func configFileListsListeners() async throws {
        try cli.write(
            "serve.yaml",
            """
            pool: system
            tcp: ["127.0.0.1:0", "[::1]:0"]
            loops: 2
            """)
        let serve = try await ServeProcess(cli, ["--config", cli.path("serve.yaml")])
        #expect(serve.addresses.count == 2)
        #expect(serve.listeningLine.contains(" tcp=[::1]:"))
        #expect(serve.stderr.contains("loops=2"))
        #expect(try await serve.stop() == 0)
    }

    @Test(arguments: [
        ("--max-pending", "4XB", "--max-pending '4XB' is not a byte count"),
        ("--slow-consumer", "sometimes", "--slow-consumer 'sometimes' is not a policy; use disconnect or drop-oldest"),
        ("--tcp", "localhost", "'localhost' has no port"),
        ("--tcp", "no-such-host.invalid:0", "listen tcp no-such-host.invalid:0: cannot resolve host 'no-such-host.invalid'"),
        ("--unix", "", "--unix a Unix socket path is empty; give the socket file's path"),
        ("--pool", "nope", "unknown pool backend 'nope'; registered: "),
        ("--drain-timeout", "soon", "--drain-timeout 'soon' is not a duration"),
        ("--trim-interval", "often", "--trim-interval 'often' is not a duration"),
        ("--loops", "0", "loops must be 1-64, got 0"),
        ("--copy-threshold", "lots", "--copy-threshold 'lots' is not a byte count"),
        (
            "--copy-threshold", "256KiB",
            "copy threshold must be 0 to 262138 bytes (a copied frame is parsed in the 262144-byte receive buffer), got 262144"
        ),
    ])
    func badOptionsAreNamed(option: String, value: String, message: String) async throws {
        let pool = option == "--pool" ? value : "system"
        let result = try await cli.run("serve", "--tcp", "127.0.0.1:0", "--pool", pool, option, value)
        #expect(result.status == 1)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func unknownConfigKeyIsNamed() async throws {
        try cli.write("serve.yaml", "pool: system\nmax_pending: 1MiB\n")
        let result = try await cli.run("serve", "--config", cli.path("serve.yaml"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("unknown key 'max_pending'; use serve's flag names"))
    }

    @Test func configValuesAreCheckedLikeFlags() async throws {
        try cli.write("serve.yaml", "pool: system\ntcp: 127.0.0.1:0\nmax-connections: many\n")
        let result = try await cli.run("serve", "--config", cli.path("serve.yaml"))
        #expect(result.status == 1)
        #expect(
            result.stderr.hasSuffix(
                "error: config file \(cli.path("serve.yaml")): 'max-connections' must be a whole number, not 'many'\n"),
            "\(result.stderr)")
        try cli.write("late.yaml", "pool: system\ntcp: 127.0.0.1:0\ndrain-timeout: later\n")
        let late = try await cli.run("serve", "--config", cli.path("late.yaml"))
        #expect(late.status == 1)
        #expect(late.stderr.contains("--drain-timeout 'later' is not a duration"), "\(late.stderr)")
    }

    @Test func anIPv6ListenerInTheConfigFileIsExplainedAndCreatesNoCatalog() async throws {
        let list = try cli.write("list.yaml", "tcp: [::1]:7800\n")
        let unquoted = try await cli.run("serve", "--config", list)
        #expect(unquoted.status == 1)
        #expect(unquoted.stderr.hasPrefix("error: config file \(list):1: not valid YAML: "), "\(unquoted.stderr)")
        #expect(unquoted.stderr.hasSuffix("; quote an IPv6 listener, e.g. tcp: \"[::1]:7800\"\n"), "\(unquoted.stderr)")

        let bare = try cli.write("bare.yaml", "tcp: ::1:7800\n")
        let unbracketed = try await cli.run("serve", "--config", bare)
        #expect(unbracketed.status == 1)
        #expect(
            unbracketed.stderr
                == "error: config file \(bare): tcp '::1:7800': put an IPv6 host in brackets, e.g. [::1]:7800, "
                + "quoted in YAML: tcp: \"[::1]:7800\"\n")
        #expect(!FileManager.default.fileExists(atPath: cli.path("mycelium.db")), "no catalog for a refused start")

        let quoted = try cli.write("quoted.yaml", "pool: system\ntcp: \"[::1]:0\"\n")
        let serve = try await ServeProcess(cli, ["--config", quoted])
        #expect(serve.listeningLine.hasPrefix("listening tcp=[::1]:"), "\(serve.listeningLine)")
        #expect(try await serve.stop() == 0)
    }

    @Test func occupiedUnixSocketIsAnErrorAndAStaleOneIsReplaced() async throws {
        let path = cli.path("bus.sock")
        let first = try await ServeProcess(cli, ["--pool", "system", "--unix", path])
        let second = try await cli.run("serve", "--pool", "system", "--unix", path)
        #expect(second.status == 1)
        #expect(second.stderr.contains("listen unix \(path): another process answers on this socket"))
        #expect(try await first.stop(SIGKILL) == nil)
        #expect(FileManager.default.fileExists(atPath: path), "SIGKILL leaves a stale socket file")
        let third = try await ServeProcess(cli, ["--pool", "system", "--unix", path])
        #expect(third.listeningLine == "listening unix=\(path)")
        #expect(try await third.stop() == 0)
    }
}
