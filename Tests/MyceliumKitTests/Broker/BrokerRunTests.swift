import Glibc
import Logging
import MyceliumKit
import MyceliumTestSupport
import ServiceLifecycle
import Testing

/// The broker as a service (`run()` under a `ServiceGroup`, or in a task) and its imperative
/// `start()`/`stop()` racing each other, on real sockets.
@Suite struct BrokerRunTests {
    private let directory = TemporaryDirectory()

    /// A configuration listening on a Unix socket in the test's directory.
    private var unixConfiguration: (BrokerConfiguration, SocketAddress) {
        let address = SocketAddress.unix(path: directory.path + "/bus.sock")
        return (.forTests(listeners: [address]), address)
    }

    /// Connects once the broker listens (waiting at most 20 s) and waits for a PONG: the
    /// broker counts the connection then.
    private func connectWhenListening(_ address: SocketAddress) async throws -> TestClient {
        // A Unix-socket connect does not block: it succeeds or is refused at once.
        try await waitUntil("a listener at \(address)") { (try? TestConnection(address)) != nil }
        let client = try await TestClient(address)
        _ = try await client.sync()
        return client
    }

    /// A broker on the test's Unix socket served by `run()` in a task, and a client it counts.
    private func runBroker() async throws -> (Broker, Task<Void, any Error>, TestClient) {
        let (configuration, address) = unixConfiguration
        let broker = try Broker(configuration: configuration)
        let running = Task { try await broker.run() }
        return (broker, running, try await connectWhenListening(address))
    }

    /// A broker on the test's Unix socket started by `start()`, and a client it counts.
    private func startBroker() async throws -> (Broker, TestClient) {
        let (configuration, address) = unixConfiguration
        let broker = try Broker(configuration: configuration)
        try broker.start()
        let client = try await TestClient(address)
        _ = try await client.sync()
        return (broker, client)
    }

    /// Checks that `client` got ERROR 8 and the broker reported it among the connections it
    /// closed.
    private func expectShutDown(_ client: TestClient, _ summary: BrokerSummary) async throws {
        let frame = try await client.readFrame()
        #expect(frame.typeID == ControlFrameType.error.rawValue)
        #expect(frame.payload.prefix(2) == [8, 0], "ERROR 8, shutting down")
        #expect(summary.connectionsAtStop == 1 && summary.drained)
        #expect(summary.stats.connections == 0 && summary.stats.pool.inUse == 0)
    }

    @Test func runEndsOnTheGroupsGracefulShutdown() async throws {
        defer { directory.remove() }
        let (configuration, address) = unixConfiguration
        let broker = try Broker(configuration: configuration)
        let group = ServiceGroup(
            services: [broker], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await group.run() }
        let client = try await connectWhenListening(address)
        await group.triggerGracefulShutdown()
        try await running.value
        try await expectShutDown(client, await broker.stop())
        #expect(access(directory.path + "/bus.sock", F_OK) != 0, "the socket file is removed")
    }

    @Test func runEndsOnCancellation() async throws {
        defer { directory.remove() }
        let (broker, running, client) = try await runBroker()
        running.cancel()
        try await running.value
        try await expectShutDown(client, await broker.stop())
    }

    @Test func runEndsOnStop() async throws {
        defer { directory.remove() }
        let (broker, running, client) = try await runBroker()
        let summary = await broker.stop()
        try await running.value
        try await expectShutDown(client, summary)
        #expect(await broker.stop() == summary, "the run's summary, again")
        await #expect(throws: BrokerError.self, "a stopped broker does not run again") { try await broker.run() }
    }

    @Test func runServesABrokerStartedBefore() async throws {
        defer { directory.remove() }
        let (broker, client) = try await startBroker()
        let running = Task { try await broker.run() }
        running.cancel()
        try await running.value
        try await expectShutDown(client, await broker.stop())
    }

    @Test func concurrentStopsAllGetTheSameSummary() async throws {
        defer { directory.remove() }
        let (broker, client) = try await startBroker()
        let summaries = await withTaskGroup(of: BrokerSummary.self) { group in
            for _ in 0..<8 { group.addTask { await broker.stop() } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(summaries.count == 8)
        #expect(Set(summaries).count == 1, "one drain, one summary: \(summaries)")
        try await expectShutDown(client, summaries[0])
    }

    /// Unix sockets, not TCP ports: a TCP port freed by one broker can be taken by any
    /// other test's ephemeral port before the second broker binds it.
    @Test func aFailedStartLeavesTheBrokerIdleAndAStopReturnsAtOnce() async throws {
        defer { directory.remove() }
        let (configuration, taken) = unixConfiguration
        let holder = try Broker(configuration: configuration)
        try holder.start()
        let broker = try Broker(configuration: configuration)
        #expect(throws: BrokerError.self, "the socket is in use") { try broker.start() }
        _ = await holder.stop()
        #expect(try broker.start() == [taken], "idle again: a second start binds the freed socket")
        _ = await broker.stop()

        let other = try Broker(configuration: configuration)
        try other.start()
        let failed = try Broker(configuration: configuration)
        #expect(throws: BrokerError.self) { try failed.start() }
        let summary = await failed.stop()
        #expect(summary.connectionsAtStop == 0 && summary.drained, "nothing was bound, nothing to drain")
        #expect(throws: BrokerError.self, "stopped is final") { try failed.start() }
        _ = await other.stop()
    }

    @Test func aStopRacingAStartAlwaysEndsWithNothingListening() async throws {
        defer { directory.remove() }
        let (configuration, address) = unixConfiguration
        for round in 0..<20 {
            let broker = try Broker(configuration: configuration)
            let started = await withTaskGroup(of: Bool?.self) { group in
                group.addTask { (try? broker.start()) != nil }
                group.addTask {
                    _ = await broker.stop()
                    return nil
                }
                return await group.reduce(into: [Bool]()) { if let started = $1 { $0.append(started) } }
            }
            #expect(started.count == 1, "round \(round)")
            await #expect(throws: EngineError.self, "round \(round): nothing listens") { try await TestClient(address) }
            #expect(await broker.stop().stats.connections == 0)
        }
    }
}
