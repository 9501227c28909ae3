import Glibc
import MyceliumKit
import MyceliumTestSupport
import Testing

@Suite struct BrokerShutdownTests {
    @Test func stopDeliversWhatIsQueuedThenError8() async throws {
        var configuration = BrokerConfiguration.forTests()
        // Ordering and the final ERROR 8 are the subject, not the timeout: on a loaded CI
        // machine the reader may need more than the default 5 s to take 50,000 frames.
        configuration.drainTimeout = .seconds(60)
        let broker = try Broker(configuration: configuration)
        let addresses = try broker.start()
        let subscriber = try await TestClient(addresses[0], timeoutSeconds: 60)
        try await subscriber.subscribe([TestTypes.small])
        let publisher = try await TestClient(addresses[0])
        let count = 50_000
        var batch: [UInt8] = []
        for sequence in 1...count {
            batch += FrameHeader(typeID: TestTypes.small, length: 8).bytes + sequencePayload(sequence)
        }
        let frames = batch
        // The broker may close the publisher's connection before it took every byte.
        async let sent = publisher.perform { try? $0.send(frames) }
        async let read = subscriber.perform { connection -> (frames: [TestConnection.Frame], end: String) in
            var frames: [TestConnection.Frame] = []
            do {
                while true { frames.append(try connection.readFrame()) }
            } catch {
                return (frames, "\(error)")
            }
        }
        try await broker.waitForStats { $0.messagesIn > 0 }
        let summary = await broker.stop()
        _ = try await sent
        let (received, end) = try await read
        let data = received.dropLast()
        #expect(received.last?.typeID == ControlFrameType.error.rawValue, "ERROR 8 comes last; the reading ended with: \(end)")
        for (index, frame) in data.enumerated() {
            let value = sequenceNumber(frame.payload)
            guard value == index + 1 else {
                Issue.record("frame \(index + 1) arrived as \(value)")
                break
            }
        }
        #expect(summary.drained)
        #expect(summary.stats.messagesOut == data.count, "every queued frame was written before closing")
        #expect(summary.stats.pool.inUse == 0)
        #expect(summary.stats.connections == 0)
        #expect(summary.connectionsAtStop == 2)
        #expect(await broker.stop() == summary, "a second stop returns the same summary")
    }

    @Test func newConnectionsAreRefusedAfterStop() async throws {
        // A Unix socket in a directory of its own: a TCP port freed by the stop can be taken
        // by another test's broker before the connect below, which then succeeds.
        let directory = TemporaryDirectory()
        let broker = try Broker(configuration: .forTests(listeners: [.unix(path: directory.path + "/bus.sock")]))
        let addresses = try broker.start()
        _ = await broker.stop()
        await #expect(throws: EngineError.self) { try await TestClient(addresses[0]) }
        #expect(throws: BrokerError.self) { try broker.start() }
    }
}
