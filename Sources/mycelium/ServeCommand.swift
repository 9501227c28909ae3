import ArgumentParser
import ContractStore
import Dispatch
import Foundation
import Logging
import MyceliumBackends
import MyceliumKit
import Synchronization

/// `mycelium serve`: the broker.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the broker on TCP and Unix sockets.",
        discussion: """
            Listens on 127.0.0.1:7800 and $TMPDIR/mycelium.sock unless --tcp or --unix is given. \
            Prints 'listening tcp=HOST:PORT unix=PATH' once every listener is bound. Byte counts \
            take a KiB, MiB or GiB suffix. SIGINT or SIGTERM stops it gracefully: ERROR 8 to every \
            connection, queued output flushed for at most --drain-timeout, a summary, exit 0.
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

    @Option(help: "The pool's memory budget. Default: 256MiB.")
    var poolBudget: String?

    @Option(help: ArgumentHelp("A YAML file with these flags' names as keys; flags win over it.", valueName: "file"))
    var config: String?

    func run() async throws {
        try await reportingAsyncErrors {
            let file = try config.map { (path) throws(UserError) in try ServeConfigFile(path: path) }
            let catalogPath = try catalogOptions.catalog ?? file?.string("catalog") ?? catalogOptions.path
            let (catalog, created) = try Catalog.openOrCreateFromBundled(path: catalogPath)
            if created { printError("created catalog \(catalogPath) from the bundled contracts") }
            var configuration = BrokerConfiguration(
                messageTypes: try catalog.messageTypes(),
                pool: .named(try pool ?? file?.string("pool") ?? "arena", in: .builtIn))
            configuration.digest = try catalog.digest()
            let tcpListeners = tcp.isEmpty ? try file?.strings("tcp") ?? [] : tcp
            let unixListeners = unix.isEmpty ? try file?.strings("unix") ?? [] : unix
            configuration.listeners = try ListenerOptions.listeners(tcp: tcpListeners, unix: unixListeners)
            func value(_ flag: String?, _ key: String) throws(UserError) -> String? {
                if let flag { return flag }
                return try file?.string(key)
            }
            func integer(_ flag: Int?, _ key: String) throws(UserError) -> Int? {
                if let flag { return flag }
                guard let text = try file?.string(key) else { return nil }
                guard let number = Int(text) else {
                    throw UserError(text: "config file \(config ?? ""): '\(key)' must be a whole number, not '\(text)'")
                }
                return number
            }
            if let loops = try integer(loops, "loops") { configuration.loops = loops }
            if let text = try value(maxPayload, "max-payload") {
                configuration.maxPayload = try ByteCount(text, option: "--max-payload").bytes
            }
            if let text = try value(maxPending, "max-pending") {
                configuration.maxPending = try ByteCount(text, option: "--max-pending").bytes
            }
            if let text = try value(poolBudget, "pool-budget") {
                configuration.poolMemoryBudget = try ByteCount(text, option: "--pool-budget").bytes
            }
            if let text = try value(slowConsumer, "slow-consumer") {
                guard let policy = BrokerConfiguration.SlowConsumerPolicy(rawValue: text) else {
                    throw UserError(text: "--slow-consumer '\(text)' is not a policy; use disconnect or drop-oldest")
                }
                configuration.slowConsumerPolicy = policy
            }
            if let count = try integer(maxConnections, "max-connections") { configuration.maxConnections = count }
            if let count = try integer(maxSubscriptions, "max-subscriptions") { configuration.maxSubscriptions = count }
            if let text = try value(drainTimeout, "drain-timeout") {
                configuration.drainTimeout = try DrainTimeout.parse(text, option: "--drain-timeout")
            }
            try await serve(configuration)
        }
    }

    private func serve(_ configuration: BrokerConfiguration) async throws {
        let (stopRequests, requestStop) = AsyncStream.makeStream(of: Void.self)
        let signals = SignalWatcher { requestStop.yield() }
        let broker = try Broker(configuration: configuration)
        let bound = try broker.start()
        var line = "listening"
        for address in bound {
            switch address {
            case .tcp: line += " tcp=\(address)"
            case .unix: line += " unix=\(address)"
            }
        }
        let logger = Logger(label: "mycelium.serve")
        logger.info(
            "broker started",
            metadata: [
                "endpoints": "\(bound.map(\.description).joined(separator: " "))",
                "pool": "\(broker.pool.name)",
                "classes": "\(broker.pool.configuration.plan)",
                "loops": "\(configuration.loops)",
                "types": "\(configuration.messageTypes.entries.count)",
            ])
        // Last, and straight to the descriptor: scripts wait for this line on a pipe, and by then
        // the start-up log line is out too.
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
        for await _ in stopRequests { break }
        let summary = await broker.stop()
        withExtendedLifetime(signals) {}
        FileHandle.standardOutput.write(Data((summary.description + "\n").utf8))
    }
}
