import Foundation
import MyceliumKit
import MyceliumTestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite struct BenchCommandTests {
    let cli: CLI
    init() throws { cli = try CLI() }

    /// The keys `bench --help` documents for `--json`.
    static let topKeys: Set = ["version", "date", "machine", "settings", "runs"]
    static let machineKeys: Set = ["host", "cpus", "cpu_model", "load_average", "kernel"]
    static let settingsKeys: Set = [
        "size", "pubs", "subs", "count", "duration_s", "rate", "type", "type_id", "window_messages",
        "warmup_messages",
    ]
    static let runKeys: Set = [
        "label", "address", "embedded", "messages_sent", "messages_delivered", "seconds", "msgs_per_s", "mb_per_s", "latency_us",
        "broker_cpu", "pool",
    ]
    static let latencyKeys: Set = ["p50", "p90", "p99", "p99_9", "p99_99", "max", "mean", "samples"]
    static let cpuKeys: Set = ["measured", "seconds", "ns_per_message"]
    static let poolKeys: Set = ["name", "acquires", "hits", "allocations", "misses", "hit_rate"]

    /// Runs `bench --json arguments...`, checks it succeeded and returns its document.
    private func bench(_ arguments: [String]) async throws -> [String: Any] {
        let result = try await cli.run(arguments: ["bench", "--json"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("delivered"), "no progress line into a pipe: \(result.stderr)")
        return try CLI.json(result.stdout)
    }

    /// Checks one run's keys and that its figures fit a load of `sent` messages to `subs` subscribers.
    private func checkRun(_ run: [String: Any], sent: Int, subs: Int, size: Int) throws {
        #expect(Set(run.keys) == Self.runKeys)
        #expect(run["messages_sent"] as? Int == sent)
        #expect(run["messages_delivered"] as? Int == sent * subs)
        let seconds = try #require(run["seconds"] as? Double)
        let perSecond = try #require(run["msgs_per_s"] as? Double)
        #expect(seconds > 0 && perSecond > 0)
        #expect(abs(perSecond * seconds - Double(sent * subs)) < 1, "msgs/s is delivered per second")
        #expect(abs(try #require(run["mb_per_s"] as? Double) - perSecond * Double(size) / 1e6) < 0.01)
        let latency = try #require(run["latency_us"] as? [String: Any])
        #expect(Set(latency.keys) == Self.latencyKeys)
        let percentiles = try ["p50", "p90", "p99", "p99_9", "p99_99", "max"].map { try #require(latency[$0] as? Double) }
        #expect(percentiles[0] > 0)
        #expect(zip(percentiles, percentiles.dropFirst()).allSatisfy { $0 <= $1 }, "non-decreasing: \(percentiles)")
        #expect(latency["samples"] as? Int == sent * subs)
        let mean = try #require(latency["mean"] as? Double)
        #expect(mean > 0 && mean <= percentiles[5])
        let cpu = try #require(run["broker_cpu"] as? [String: Any])
        #expect(Set(cpu.keys) == Self.cpuKeys)
        let pool = try #require(run["pool"] as? [String: Any])
        #expect(Set(pool.keys) == Self.poolKeys)
        let acquires = try #require(pool["acquires"] as? Int)
        let hits = try #require(pool["hits"] as? Int)
        #expect(acquires > 0 && hits <= acquires)
        let hitRate = try #require(pool["hit_rate"] as? Double)
        #expect(abs(hitRate - Double(hits) / Double(acquires)) < 1e-9)
    }

    @Test func embeddedBrokersReportEveryDocumentedKeyAndDrawOneSeriesPerPool() async throws {
        let svg = cli.path("bench.svg")
        let document = try await bench(
            ["--embedded", "--pool", "arena,mutex", "--count", "2000", "--pubs", "2", "--subs", "2", "--svg", svg])
        #expect(Set(document.keys) == Self.topKeys)
        let machine = try #require(document["machine"] as? [String: Any])
        #expect(Set(machine.keys) == Self.machineKeys)
        #expect(machine["cpus"] as? Int ?? 0 >= 1 && (machine["load_average"] as? [Double])?.count == 3)
        let settings = try #require(document["settings"] as? [String: Any])
        #expect(Set(settings.keys) == Self.settingsKeys)
        #expect(settings["count"] as? Int == 2000 && settings["duration_s"] is NSNull && settings["rate"] is NSNull)
        #expect(settings["type"] as? String == "BenchFrame" && settings["type_id"] as? Int == 1001)
        let window = try #require(settings["window_messages"] as? Int)
        #expect(settings["warmup_messages"] as? Int == window, "one window of warm-up per publisher")
        let runs = try #require(document["runs"] as? [[String: Any]])
        #expect(runs.map { $0["label"] as? String } == ["arena", "mutex"])
        for run in runs {
            try checkRun(run, sent: 4000, subs: 2, size: 128)
            #expect(run["embedded"] as? Bool == true && (run["address"] as? String)?.hasPrefix("unix:") == true)
            #expect((run["pool"] as? [String: Any])?["name"] as? String == run["label"] as? String)
            let cpu = try #require(run["broker_cpu"] as? [String: Any])
            #expect(cpu["measured"] as? String == "the embedded broker's loop threads")
            #expect(cpu["ns_per_message"] as? Double ?? 0 > 0, "\(cpu)")
        }

        let picture = try SVGSummary(contentsOf: URL(fileURLWithPath: svg))
        #expect(picture.series == ["arena", "mutex"], "one latency curve per pool")
        #expect(picture.bars == ["arena", "mutex"], "one throughput bar per pool")
        #expect(picture.texts.contains { $0.hasPrefix("mycelium bench: 2 publishers → 2 subscribers, 128 B BenchFrame") })
        #expect(picture.texts.contains("messages delivered per second") && picture.texts.contains("latency (log scale)"))
        #expect(picture.texts.contains { $0.contains("load average") }, "the machine and date are on the picture")
    }

    @Test func measuresARunningBrokerOverAUnixSocketWithItsProcessCPU() async throws {
        let socket = cli.path("broker.sock")
        let serve = try await ServeProcess(cli, ["--pool", "mutex", "--unix", socket])
        let document = try await bench(["--unix", socket, "--count", "1000", "--subs", "1", "--rate", "20000"])
        let runs = try #require(document["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        let run = try #require(runs.first)
        try checkRun(run, sent: 1000, subs: 1, size: 128)
        #expect(run["embedded"] as? Bool == false && run["label"] as? String == "unix:\(socket)")
        #expect((run["pool"] as? [String: Any])?["name"] as? String == "mutex")
        let cpu = try #require(run["broker_cpu"] as? [String: Any])
        #expect((cpu["measured"] as? String)?.hasPrefix("broker process ") == true, "found through the socket's peer: \(cpu)")
        #expect(cpu["ns_per_message"] as? Double ?? 0 > 0)
        #expect((document["settings"] as? [String: Any])?["rate"] as? Double == 20000)

        let unreadable = try await bench(["--unix", socket, "--count", "100", "--subs", "1", "--broker-pid", "999999999"])
        let unmeasured = try #require((unreadable["runs"] as? [[String: Any]])?.first?["broker_cpu"] as? [String: Any])
        #expect(
            unmeasured["measured"] as? String
                == "not measured: cannot read the CPU time of broker process 999999999, all threads from /proc")
        #expect(unmeasured["seconds"] is NSNull && unmeasured["ns_per_message"] is NSNull)

        let text = try await cli.run("bench", "--unix", socket, "--duration", "300ms", "--size", "64", "--subs", "1")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("1 publisher → 1 subscriber, 64 B BenchFrame, for 0.3 s"), "\(text.stdout)")
        #expect(text.stdout.contains("  throughput  ") && text.stdout.contains("  latency µs  p50 "))
        #expect(text.stdout.contains("  pool        mutex: hit rate "))
        #expect(try await serve.stop(SIGINT) == 0)
    }

    @Test(arguments: [
        (["--size", "4"], "--size must be at least 8 bytes (the send time), not 4"),
        (["--size", "5000", "--embedded"], "--size 5000 is larger than BenchFrame's largest payload"),
        (["--count", "10", "--duration", "1s"], "give either --count or --duration, not both"),
        (["--count", "0"], "--count must be at least 1, not 0"),
        (["--duration", "soon"], "--duration 'soon' is not a duration"),
        (["--rate", "0"], "--rate must be at least 1 message per second"),
        (["--subs", "0"], "--subs must be at least 1, not 0"),
        (["--embedded", "--pool", "arena,fast"], "unknown pool 'fast' in --pool; the pools are "),
        (["--pool", "arena"], "--pool needs --embedded: a running broker uses its own pool"),
        (["--embedded", "--tcp", "127.0.0.1:7800"], "--embedded starts its own brokers; leave out --tcp and --unix"),
        (["--embedded", "--type", "NoSuchMessage"], "--type: "),
        (["--broker-pid", "0"], "--broker-pid must be a process id, not 0"),
        (
            ["--embedded", "--pool", "arena", "--count", "10", "--svg", "/nonexistent/bench.svg"],
            "--svg: cannot write /nonexistent/bench.svg"
        ),
    ])
    func refusesBadArguments(arguments: [String], message: String) async throws {
        let result = try await cli.run(arguments: ["bench"] + arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func saysWhenSomethingElsePublishesItsType() async throws {
        let socket = cli.path("broker.sock")
        let serve = try await ServeProcess(cli, ["--unix", socket])
        // BenchFrame (1001) frames of 16 bytes, until the bench is over.
        let stranger = try await MyceliumClient.connect(to: .unix(path: socket), name: "stranger")
        let noise = Task {
            let payload = [UInt8](repeating: 7, count: 16)
            for _ in 0..<10_000_000 where !Task.isCancelled {
                try await stranger.publish(typeID: 1001, payload: payload)
            }
        }
        // Long enough for the noise to arrive however busy the machine; it ends at the first.
        let result = try await cli.run("bench", "--unix", socket, "--duration", "60s", "--subs", "1")
        noise.cancel()
        _ = await noise.result
        try await stranger.close()
        #expect(result.status == 1)
        #expect(
            result.stderr.contains(
                "error: subscriber 0 received a 16-byte message of type 1001, not 128 bytes: is something else publishing type 1001 on this broker? Use --type for a type nobody else uses"
            ), "\(result.stderr)")
        #expect(try await serve.stop(SIGINT) == 0)
    }

    @Test func saysWhenNothingListens() async throws {
        let socket = cli.path("nobody.sock")
        let result = try await cli.run("bench", "--unix", socket, "--count", "10")
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("error: cannot connect to \(socket): no such file or directory; is `mycelium serve` running?"),
            "\(result.stderr)")
    }
}

/// What a bench picture holds: its runs' curves and bars (by `data-run`) and its texts;
/// parsing it checks that it is well-formed XML.
private struct SVGSummary {
    var series: [String] = []
    var bars: [String] = []
    var texts: [String] = []

    init(contentsOf url: URL) throws {
        let delegate = Delegate()
        let parser = XMLParser(data: try Data(contentsOf: url))
        parser.delegate = delegate
        guard parser.parse() else {
            throw SVGError(description: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")")
        }
        #expect(delegate.root == "svg")
        series = delegate.series
        bars = delegate.bars
        texts = delegate.texts
    }

    private struct SVGError: Error, CustomStringConvertible { let description: String }

    private final class Delegate: NSObject, XMLParserDelegate {
        var root: String?
        var series: [String] = []
        var bars: [String] = []
        var texts: [String] = []
        private var text: String?

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String]
        ) {
            if root == nil { root = name }
            if name == "polyline", attributes["class"] == "series", let run = attributes["data-run"] { series.append(run) }
            if name == "rect", attributes["class"] == "bar", let run = attributes["data-run"] { bars.append(run) }
            if name == "text" { text = "" }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text? += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "text", let text { texts.append(text) }
            text = nil
        }
    }
}
