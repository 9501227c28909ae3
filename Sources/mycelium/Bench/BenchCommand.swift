import ArgumentParser
import ContractStore
import Foundation
import MyceliumBackends
import MyceliumKit

/// `mycelium bench`: a load generator that measures a broker, or brokers it starts itself
/// (`--embedded`), and reports throughput, latency percentiles, broker CPU and pool figures.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure a broker: throughput, end-to-end latency, broker CPU and pool use.",
        discussion: """
            Subscribers (--subs) subscribe to BenchFrame (1001, or --type), then publishers (--pubs) \
            publish --size-byte messages, --count each or for --duration, through the kit's client. Each \
            message carries its send time; each subscriber records arrival minus that time in an \
            HdrHistogram. With --rate R each publisher is open-loop: message i is due at start + i/R and \
            carries that intended time, so a stall counts against every message it delayed (no coordinated \
            omission); without it publishers go as fast as a 4 MiB window over the slowest subscriber lets \
            them, and latencies include that queueing. A warm-up run of one window per publisher \
            (closed loop, not in any figure) precedes each measured run. Against --tcp/--unix, a broker that nothing else \
            publishes the type to; its CPU is measured when its pid is known (--broker-pid, or the peer of \
            a --unix socket). --embedded starts each --pool's broker in this process on a Unix socket in a \
            temporary directory, one after another, and measures its loop threads' CPU. A progress line \
            goes to stderr on a terminal.

            --json prints one object: version, date (ISO 8601 UTC), machine {host, cpus, cpu_model, \
            load_average [1, 5, 15 min], kernel}, settings {size, pubs, subs, count, duration_s, rate \
            (null when not given), type, type_id, window_messages, warmup_messages}, runs [{label (pool or address), \
            address, embedded, messages_sent, messages_delivered (sent × subs), seconds (first publish to \
            last arrival), msgs_per_s (delivered per second), mb_per_s (payload, 10^6 B), latency_us \
            {p50, p90, p99, p99_9, p99_99, max, mean, samples}, broker_cpu {measured (what, or why not), \
            seconds, ns_per_message (null when not measured)}, pool {name, acquires, hits, allocations, \
            misses, hit_rate} (STATS after minus before)}]. --svg FILE draws throughput bars and latency \
            percentile curves per run.
            """
    )

    @OptionGroup var endpoint: EndpointOptions

    @OptionGroup var catalogOptions: CatalogOptions

    @Flag(help: "Start a broker per --pool in this process (Unix socket in a temporary directory) instead.")
    var embedded = false

    @Option(
        help: ArgumentHelp(
            "With --embedded: the pools to measure, comma-separated. Default: arena,mutex,lockfree.", valueName: "names"))
    var pool: String?

    @Option(help: "Payload bytes per message (8 or more: the first 8 carry the send time). Default: 128.")
    var size = 128

    @Option(help: "Publishing clients. Default: 1.")
    var pubs = 1

    @Option(help: "Subscribing clients. Default: 4.")
    var subs = 4

    @Option(help: "Messages per publisher. Default: 1000000 (unless --duration).")
    var count: Int?

    @Option(help: ArgumentHelp("Publish for this long instead of --count: 10s, 500ms.", valueName: "duration"))
    var duration: String?

    @Option(
        help: ArgumentHelp(
            "Messages per second per publisher, open loop (default: as fast as possible).", valueName: "per-second"))
    var rate: Double?

    @Option(
        name: .customLong("type"), help: ArgumentHelp("The message type, by name or id. Default: BenchFrame.", valueName: "name"))
    var messageType = "BenchFrame"

    @Option(help: ArgumentHelp("A local broker's process id, to measure its CPU.", valueName: "pid"))
    var brokerPid: Int32?

    @Flag(help: "Print the report as JSON (keys above).")
    var json = false

    @Option(help: ArgumentHelp("Also draw the report as an SVG picture into this file.", valueName: "file"))
    var svg: String?

    static let defaultCount = 1_000_000
    static let defaultPools = "arena,mutex,lockfree"

    func validate() throws {
        guard size >= 8 else { throw ValidationError("--size must be at least 8 bytes (the send time), not \(size)") }
        guard pubs >= 1 else { throw ValidationError("--pubs must be at least 1, not \(pubs)") }
        guard subs >= 1 else { throw ValidationError("--subs must be at least 1, not \(subs)") }
        if count != nil && duration != nil {
            throw ValidationError("give either --count or --duration, not both")
        }
        if let count, count < 1 { throw ValidationError("--count must be at least 1, not \(count)") }
        if let duration {
            do {
                guard try DurationOption.parse(duration, option: "--duration") > .zero else {
                    throw ValidationError("--duration must be longer than 0")
                }
            } catch let error as UserError {
                throw ValidationError(error.text)
            }
        }
        if let brokerPid, brokerPid <= 0 { throw ValidationError("--broker-pid must be a process id, not \(brokerPid)") }
        if let rate, !(rate >= 1 && rate.isFinite) {
            throw ValidationError("--rate must be at least 1 message per second")
        }
        if embedded {
            if endpoint.tcp != nil || endpoint.unix != nil {
                throw ValidationError("--embedded starts its own brokers; leave out --tcp and --unix")
            }
            if brokerPid != nil { throw ValidationError("--broker-pid is for a running broker, not with --embedded") }
            let known = PoolRegistry.builtIn.names
            for name in pools where !known.contains(name) {
                throw ValidationError("unknown pool '\(name)' in --pool; the pools are \(known.joined(separator: ", "))")
            }
        } else if pool != nil {
            throw ValidationError("--pool needs --embedded: a running broker uses its own pool")
        }
    }

    private var pools: [String] {
        (pool ?? Self.defaultPools).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    func run() async throws {
        try await reportingAsyncErrors {
            let (catalog, _) = try catalogOptions.openForReading(announcing: false)
            let codec: MessageCodec
            do throws(CatalogError) {
                codec = try catalog.codec(for: messageType)
            } catch {
                throw UserError(text: "--type: \(error.withCommandLineAdvice)")
            }
            let types = try catalog.messageTypes()
            let typeID = codec.message.typeID
            if let entry = types.entries.first(where: { $0.id == typeID }), size > entry.maxPayload {
                throw UserError(
                    text: "--size \(size) is larger than \(entry.name)'s largest payload (\(entry.maxPayload) bytes); "
                        + "pick a smaller size or a larger --type")
            }
            let period = try duration.map { (text) throws(UserError) in try DurationOption.parse(text, option: "--duration") }
            let limit: BenchLoad.Limit = period.map { .duration($0) } ?? .count(count ?? Self.defaultCount)
            let template = BenchLoad(
                address: try endpoint.address(), token: endpoint.tokenOptions.effective, typeID: typeID, size: size,
                publishers: pubs,
                subscribers: subs, limit: limit, rate: rate)
            let date = ISO8601DateFormatter().string(from: Date())
            let machine = MachineDescription.current()
            var runs: [BenchRun] = []
            if embedded {
                for name in pools {
                    runs.append(try await measureEmbedded(pool: name, types: types, template: template))
                }
            } else {
                runs.append(try await measure(address: template.address, template: template))
            }
            let report = BenchReport(
                version: MyceliumVersion.current, date: date, machine: machine,
                settings: BenchReport.Settings(
                    size: size, pubs: pubs, subs: subs, count: period == nil ? count ?? Self.defaultCount : nil,
                    durationS: period.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 },
                    rate: rate, type: codec.message.name, typeID: typeID, windowMessages: template.windowMessages,
                    warmupMessages: template.warmUpMessages),
                runs: runs)
            if let svg {
                do {
                    try BenchChart(report: report).svg().write(toFile: svg, atomically: true, encoding: .utf8)
                } catch {
                    throw UserError(text: "--svg: cannot write \(svg): \(error.localizedDescription)")
                }
            }
            print(json ? try report.json() : report.text)
        }
    }

    /// Starts a broker with pool `name` on a Unix socket in a new temporary directory,
    /// measures it, stops it and removes the directory.
    private func measureEmbedded(pool name: String, types: MessageTypeTable, template: BenchLoad) async throws -> BenchRun {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mycelium-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("broker.sock").path
        var configuration = BrokerConfiguration(messageTypes: types, pool: .named(name, in: .builtIn))
        configuration.listeners = [.unix(path: path)]
        let broker = try Broker(configuration: configuration)
        try broker.start()
        do {
            let run = try await measure(address: .unix(path: path), template: template, label: name, cpu: .embeddedLoops)
            await broker.stop()
            return run
        } catch {
            await broker.stop()
            throw error
        }
    }

    /// Runs `template`'s load against `address` once to warm up and once measured, with
    /// STATS and the broker's CPU read just before and after the measured run.
    private func measure(address: SocketAddress, template: BenchLoad, label: String? = nil, cpu: BrokerCPU? = nil)
        async throws -> BenchRun
    {
        let source: BrokerCPU? =
            cpu ?? brokerPid.map(BrokerCPU.process)
            ?? {
                if case .unix(let path) = address { return PeerProcess.pid(listeningAt: path).map(BrokerCPU.process) }
                return nil
            }()
        let control = try await endpoint.connect(to: address, digest: nil, peerName: "mycelium bench")
        do {
            var load = template
            load.address = address
            let expected: Int? =
                if case .count(let count) = template.limit { count * template.publishers * template.subscribers } else { nil }
            let progress = ProgressLine(label: label ?? "\(address)", expected: expected)
            let (outcome, before, cpuBefore, cpuAfter) = try await load.withClients { clients in
                try await load.warmUp(clients)
                let before = try await control.stats()
                let cpuBefore = source?.nanoseconds()
                let outcome = try await load.run(clients, progress: progress)
                let cpuAfter = source?.nanoseconds()
                return (outcome, before, cpuBefore, cpuAfter)
            }
            progress?.clear()
            let after = try await control.stats()
            try await control.close()
            let figures: BenchRun.BrokerCPUFigures
            if let source, let cpuBefore, let cpuAfter {
                figures = BenchRun.BrokerCPUFigures(source, nanoseconds: cpuAfter &- cpuBefore, delivered: outcome.delivered)
            } else if let source {
                figures = BenchRun.BrokerCPUFigures(notMeasured: "cannot read the CPU time of \(source.description) from /proc")
            } else {
                figures = BenchRun.BrokerCPUFigures(notMeasured: "the broker is not local (give --broker-pid for a local one)")
            }
            return BenchRun(
                label: label, address: address, embedded: cpu != nil, outcome: outcome, size: template.size,
                brokerCPU: figures, pool: BenchRun.PoolFigures(before: before.pool, after: after.pool))
        } catch {
            try? await control.close(timeout: .seconds(1))
            throw error
        }
    }
}
