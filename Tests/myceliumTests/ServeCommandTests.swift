import Foundation
import MyceliumKit
import Testing

@testable import mycelium

@Suite struct ServeCommandTests {
    let cli: CLI
    init() throws { cli = try CLI() }

    @Test func servesTheBundledContractsAndStopsCleanlyOnSIGTERM() throws {
        let serve = try ServeProcess(cli, ["--tcp", "127.0.0.1:0", "--unix", cli.path("bus.sock")])
        #expect(serve.listeningLine.hasPrefix("listening tcp=127.0.0.1:"))
        #expect(serve.listeningLine.hasSuffix(" unix=\(cli.path("bus.sock"))"))
        #expect(serve.stderr.contains("created catalog ./mycelium.db from the bundled contracts"))
        #expect(serve.stderr.contains("broker started") && serve.stderr.contains("pool=arena"))
        #expect(serve.stderr.contains("1024×64"), "the start-up line lists the classes")

        // BenchFrame (1001) from the bundled contracts, over TCP to a Unix subscriber.
        let subscriber = try BrokerSocket(serve.addresses[1])
        try subscriber.send(.subscribe([1001]))
        try subscriber.send(.ping([1]))
        #expect(try subscriber.readFrame().typeID == ControlFrameType.pong.rawValue)
        let publisher = try BrokerSocket(serve.addresses[0])
        let payload = [UInt8](repeating: 7, count: 1024)
        try publisher.send(bytes: FrameHeader(typeID: 1001, length: 1024).bytes + payload)
        let frame = try subscriber.readFrame()
        #expect(frame.typeID == 1001 && frame.payload == payload)

        let stats = try cli.run("stats", "--unix", cli.path("bus.sock"), "--json")
        #expect(stats.status == 0)
        let document = try CLI.json(stats.stdout)
        #expect(document["messages_in"] as? Int == 1 && document["messages_out"] as? Int == 1)
        #expect((document["pool"] as? [String: Any])?["name"] as? String == "arena", "arena is the default pool")

        #expect(serve.stop(SIGTERM) == 0)
        #expect(try subscriber.readFrame().typeID == ControlFrameType.error.rawValue, "ERROR 8 on shutdown")
        #expect(serve.stdout.contains("stopped: 2 connections closed, messages in=1 out=1"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("bus.sock")))
    }

    @Test func statsPrintsATable() throws {
        let serve = try ServeProcess(cli, ["--pool", "system", "--tcp", "127.0.0.1:0"])
        let result = try cli.run("stats", "--tcp", serve.addresses[0].description)
        #expect(result.status == 0)
        #expect(result.stdout.contains("connections 1  messages in 0  out 0  slow consumers 0  dropped 0"))
        #expect(result.stdout.contains("pool system  in use"))
        #expect(result.stdout.contains(" SIZE  CAPACITY  IN_USE"))
        #expect(serve.stop(SIGINT) == 0)
    }

    @Test func statsSaysWhenNoBrokerAnswers() throws {
        let result = try cli.run("stats", "--unix", cli.path("nobody.sock"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot reach a broker at \(cli.path("nobody.sock"))"))
    }

    @Test func flagsWinOverTheConfigFile() throws {
        try cli.write(
            "serve.yaml",
            """
            pool: no-such-pool
            unix: \(cli.path("from-config.sock"))
            max-pending: 2MiB
            slow-consumer: drop-oldest
            drain-timeout: 500ms
            """)
        let serve = try ServeProcess(cli, ["--config", cli.path("serve.yaml"), "--pool", "system"])
        #expect(serve.listeningLine == "listening unix=\(cli.path("from-config.sock"))")
        #expect(serve.stop() == 0)
    }

    @Test func configFileListsListeners() throws {
        try cli.write(
            "serve.yaml",
            """
            pool: system
            tcp: ["127.0.0.1:0", "[::1]:0"]
            loops: 2
            """)
        let serve = try ServeProcess(cli, ["--config", cli.path("serve.yaml")])
        #expect(serve.addresses.count == 2)
        #expect(serve.listeningLine.contains(" tcp=[::1]:"))
        #expect(serve.stderr.contains("loops=2"))
        #expect(serve.stop() == 0)
    }

    @Test(arguments: [
        ("--max-pending", "4XB", "--max-pending '4XB' is not a byte count"),
        ("--slow-consumer", "sometimes", "--slow-consumer 'sometimes' is not a policy; use disconnect or drop-oldest"),
        ("--tcp", "localhost", "'localhost' has no port"),
        ("--tcp", "localhost:80", "'localhost' is not an IPv4 address literal"),
        ("--pool", "nope", "unknown pool backend 'nope'; registered: "),
        ("--drain-timeout", "soon", "--drain-timeout 'soon' is not a duration"),
        ("--loops", "0", "loops must be 1-64, got 0"),
    ])
    func badOptionsAreNamed(option: String, value: String, message: String) throws {
        let pool = option == "--pool" ? value : "system"
        let result = try cli.run("serve", "--tcp", "127.0.0.1:0", "--pool", pool, option, value)
        #expect(result.status == 1)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func unknownConfigKeyIsNamed() throws {
        try cli.write("serve.yaml", "pool: system\nmax_pending: 1MiB\n")
        let result = try cli.run("serve", "--config", cli.path("serve.yaml"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("unknown key 'max_pending'; use serve's flag names"))
    }

    @Test func configValuesAreCheckedLikeFlags() throws {
        try cli.write("serve.yaml", "pool: system\ntcp: 127.0.0.1:0\nmax-connections: many\n")
        let result = try cli.run("serve", "--config", cli.path("serve.yaml"))
        #expect(result.status == 1)
        #expect(
            result.stderr.hasSuffix(
                "error: config file \(cli.path("serve.yaml")): 'max-connections' must be a whole number, not 'many'\n"),
            "\(result.stderr)")
        try cli.write("late.yaml", "pool: system\ntcp: 127.0.0.1:0\ndrain-timeout: later\n")
        let late = try cli.run("serve", "--config", cli.path("late.yaml"))
        #expect(late.status == 1)
        #expect(late.stderr.contains("--drain-timeout 'later' is not a duration"), "\(late.stderr)")
    }

    @Test func occupiedUnixSocketIsAnErrorAndAStaleOneIsReplaced() throws {
        let path = cli.path("bus.sock")
        let first = try ServeProcess(cli, ["--pool", "system", "--unix", path])
        let second = try cli.run("serve", "--pool", "system", "--unix", path)
        #expect(second.status == 1)
        #expect(second.stderr.contains("listen unix \(path): another process answers on this socket"))
        #expect(first.stop(SIGKILL) == nil)
        #expect(FileManager.default.fileExists(atPath: path), "SIGKILL leaves a stale socket file")
        let third = try ServeProcess(cli, ["--pool", "system", "--unix", path])
        #expect(third.listeningLine == "listening unix=\(path)")
        #expect(third.stop() == 0)
    }
}
