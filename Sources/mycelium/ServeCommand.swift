import ArgumentParser
import ContractStore
import Foundation
import Logging
import MyceliumBackends
import MyceliumKit
import ServiceLifecycle
import UnixSignals

/// `mycelium serve`: the broker.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the broker on TCP and Unix sockets.",
        discussion: """
            Listens on 127.0.0.1:7800 and $TMPDIR/mycelium.sock unless --tcp or --unix is given. \
            Prints 'listening tcp=HOST:PORT unix=PATH' once every listener is bound. Byte counts \
            take a KiB, MiB or GiB suffix. SIGINT or SIGTERM stops it gracefully: ERROR 8 to every \
            connection, queued output flushed for at most --drain-timeout, a summary, exit 0. \
            With --auth FILE, clients must send a token its users' hashes match, and may publish \
            and subscribe only to what their entry permits (see `mycelium auth hash`). \
            --metrics HOST:PORT serves Prometheus text on GET /metrics there, and adds \
            'metrics=HOST:PORT' to the listening line. \
            --uplink nats://HOST:PORT shares messages through a NATS cluster: each type of \
            --uplink-types travels on subject PREFIX.Type, and this broker receives a type from \
            NATS while it has subscribers of it.
            """
    )

    @Option(help: "The pool backend (mutex, lockfree, arena, system, ...). Default: arena.")
    var pool: String?

    @Option(help: ArgumentHelp("A TCP listener; repeatable. Default: 127.0.0.1:7800.", valueName: "host:port"))
    var tcp: [String] = []

    @Option(help: ArgumentHelp("A Unix-socket listener; repeatable. Default: $TMPDIR/mycelium.sock.", valueName: "path"))
    var unix: [String] = []

    @OptionGroup var catalogOptions: CatalogOptions

    @Option(help: "Event loops (threads). Default: 1.")
    var loops: Int?

    @Option(help: "The largest data payload accepted. Default: 4MiB.")
    var maxPayload: String?

    @Option(help: "Bytes a subscriber may have queued before the slow-consumer policy applies. Default: 8MiB.")
    var maxPending: String?

    @Option(help: "disconnect (ERROR 6, close) or drop-oldest. Default: disconnect.")
    var slowConsumer: String?

    @Option(help: "Connections served at once. Default: 10000.")
    var maxConnections: Int?

    @Option(help: "Subscriptions per connection. Default: 1024.")
    var maxSubscriptions: Int?

    @Option(help: "How long a stop may flush queued output: 5, 2.5s, 500ms. Default: 5s.")
    var drainTimeout: String?

    @Option(help: "How often each event loop gives the pool's idle memory back: 10, 2.5s, 500ms; 0 never. Default: 10s.")
    var trimInterval: String?

    @Option(
        help:
            "Data payloads up to this size are copied into each subscriber's output; larger ones are queued by reference. Default: 16KiB."
    )
    var copyThreshold: String?

    @Option(help: "The pool's memory budget. Default: 256MiB.")
    var poolBudget: String?

    @Option(
        help: ArgumentHelp(
            "Serve Prometheus metrics on GET /metrics at this address (e.g. 127.0.0.1:9464). Default: off.",
            valueName: "host:port"))
    var metrics: String?

    @Option(
        help: ArgumentHelp(
            "A YAML file of users (token_sha256, publish, subscribe) allowed to connect. Default: none; anyone may.",
            valueName: "file"))
    var auth: String?

    @Option(
        help: ArgumentHelp(
            "A NATS server to share messages through; repeatable (a server list). nats://HOST:PORT, nats://USER:PASS@HOST:PORT or nats://TOKEN@HOST:PORT. Default: off.",
            valueName: "url"))
    var uplink: [String] = []

    @Option(
        help: ArgumentHelp(
            "The message types shared through NATS, comma-separated. Default: every type in the catalog.",
            valueName: "types"))
    var uplinkTypes: String?

    @Option(help: ArgumentHelp("The first part of every NATS subject. Default: mycelium.", valueName: "prefix"))
    var uplinkPrefix: String?

    @Option(help: "Outbound bytes kept while NATS is unreachable; then the oldest are dropped. Default: 8MiB.")
    var uplinkBuffer: String?

    @Option(
        help: ArgumentHelp(
            "How often the uplink asks NATS whether a type has subscribers there; a type without any is not sent until a probe finds one. 0 sends every frame. Default: 1s.",
            valueName: "duration"))
    var uplinkProbeInterval: String?

    @Option(help: ArgumentHelp("A YAML file with these flags' names as keys; flags win over it.", valueName: "file"))
    var config: String?

    func run() async throws {
        try await reportingAsyncErrors {
            let file = try config.map { (path) throws(UserError) in try ServeConfigFile(path: path) }
            /// A setting: its flag when given, else the config file's key, read by `parse`.
            func setting<Value>(
                _ flag: String?, _ key: String, _ parse: (String) throws(UserError) -> Value
            ) throws(UserError) -> Value? {
                if let flag { return try parse(flag) }
                return try file?.string(key).map(parse)
            }
            func text(_ text: String) -> String { text }
            func wholeNumber(_ key: String) -> (String) throws(UserError) -> Int {
                { (text) throws(UserError) in
                    guard let number = Int(text) else {
                        throw UserError(text: "config file \(config ?? ""): '\(key)' must be a whole number, not '\(text)'")
                    }
                    return number
                }
            }
            func bytes(_ option: String) -> (String) throws(UserError) -> Int {
                { (text) throws(UserError) in try ByteCount(text, option: option).bytes }
            }
            func policy(_ text: String) throws(UserError) -> BrokerConfiguration.SlowConsumerPolicy {
                guard let policy = BrokerConfiguration.SlowConsumerPolicy(rawValue: text) else {
                    throw UserError(text: "--slow-consumer '\(text)' is not a policy; use disconnect or drop-oldest")
                }
                return policy
            }

            // Checked before the catalog is opened: a mistyped listener creates no catalog.
            let listeners = try ListenerOptions.listeners(
                tcp: tcp.isEmpty ? try file?.strings("tcp") ?? [] : tcp,
                unix: unix.isEmpty ? try file?.strings("unix") ?? [] : unix,
                tcpFile: tcp.isEmpty ? file?.path : nil, unixFile: unix.isEmpty ? file?.path : nil)
            let catalogPath = try setting(catalogOptions.catalog, "catalog", text) ?? catalogOptions.path
            let (catalog, created) = try Catalog.openOrCreateFromBundled(path: catalogPath)
            if created { printError("created catalog \(catalogPath) from the bundled contracts") }
            var configuration = BrokerConfiguration(
                messageTypes: try catalog.messageTypes(),
                pool: .named(try setting(pool, "pool", text) ?? "arena", in: .builtIn))
            configuration.digest = try catalog.digest()
            let types = configuration.messageTypes
            configuration.authorization = try setting(auth, "auth") { (path) throws(UserError) in
                try AuthFile.load(path: path, types: types)
            }
            configuration.listeners = listeners
            let logger = Logger(label: "mycelium.serve")
            configuration.logger = logger
            /// Sets `path` from its flag or config-file key when either is given.
            func set<Value>(
                _ path: WritableKeyPath<BrokerConfiguration, Value>, _ flag: String?, _ key: String,
                _ parse: (String) throws(UserError) -> Value
            ) throws(UserError) {
                if let value = try setting(flag, key, parse) { configuration[keyPath: path] = value }
            }
            try set(\.loops, loops.map(String.init), "loops", wholeNumber("loops"))
            try set(\.maxPayload, maxPayload, "max-payload", bytes("--max-payload"))
            try set(\.maxPending, maxPending, "max-pending", bytes("--max-pending"))
            try set(\.copyThreshold, copyThreshold, "copy-threshold", bytes("--copy-threshold"))
            try set(\.poolMemoryBudget, poolBudget, "pool-budget", bytes("--pool-budget"))
            try set(\.slowConsumerPolicy, slowConsumer, "slow-consumer", policy)
            try set(\.maxConnections, maxConnections.map(String.init), "max-connections", wholeNumber("max-connections"))
            try set(
                \.maxSubscriptions, maxSubscriptions.map(String.init), "max-subscriptions", wholeNumber("max-subscriptions"))
            try set(\.drainTimeout, drainTimeout, "drain-timeout") { (text) throws(UserError) in
                try DurationOption.parse(text, option: "--drain-timeout")
            }
            try set(\.trimInterval, trimInterval, "trim-interval") { (text) throws(UserError) in
                try DurationOption.parse(text, option: "--trim-interval")
            }
            let metricsAddress = try setting(metrics, "metrics") { (text) throws(UserError) in
                do {
                    return try SocketAddress(parsingTCP: text)
                } catch {
                    throw UserError(text: "--metrics \(error)")
                }
            }
            configuration.uplink = try UplinkOptions.configuration(
                servers: uplink.isEmpty ? try file?.strings("uplink") ?? [] : uplink,
                types: uplinkTypes.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                    ?? file?.strings("uplink-types"),
                prefix: try setting(uplinkPrefix, "uplink-prefix", text),
                buffer: try setting(uplinkBuffer, "uplink-buffer", bytes("--uplink-buffer")),
                probeInterval: try setting(uplinkProbeInterval, "uplink-probe-interval") { (text) throws(UserError) in
                    try DurationOption.parse(text, option: "--uplink-probe-interval")
                },
                catalog: catalog)
            let broker = try Broker(configuration: configuration)
            let group = ServiceGroup(
                services: [ServeService(broker: broker, metrics: metricsAddress, logger: logger)],
                gracefulShutdownSignals: [.sigint, .sigterm], logger: logger)
            try await group.run()
            let summary = await broker.stop()
            FileHandle.standardOutput.write(Data((summary.description + "\n").utf8))
        }
    }
}
