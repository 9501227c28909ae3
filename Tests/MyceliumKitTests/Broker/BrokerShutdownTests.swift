import Glibc
import MyceliumKit
import Testing

@Suite struct BrokerShutdownTests {
    @Test func stopDeliversWhatIsQueuedThenError8() async throws {
        var configuration = BrokerConfiguration.forTests()
        // Ordering and the final ERROR 8 are the subject, not the timeout: on a loaded CI
        // machine the reader may need more than the default 5 s to take 50,000 frames.
        configuration.drainTimeout = .seconds(60)
        let broker = try Broker(configuration: configuration)
        let addresses = try broker.start()
        // A long read timeout. The ERROR 8 is queued only once `broker.stop()` runs, and that
        // call waits for a cooperative thread: under the thread sanitizer, with other suites
        // blocking theirs in socket reads, that wait exceeded 30 s (the reader saw EAGAIN).
        let subscriber = try TestClient(addresses[0], timeoutSeconds: 120)
        try subscriber.subscribe([TestTypes.small])
        let publisher = try TestClient(addresses[0])
        let count = 50_000
        var batch: [UInt8] = []
        for sequence in 1...count {
            batch += FrameHeader(typeID: TestTypes.small, length: 8).bytes
            batch += withUnsafeBytes(of: UInt64(sequence).littleEndian, Array.init)
        }
        let frames = batch
        let sender = BackgroundThread { try? publisher.send(frames) }
        let reader = BackgroundThread { () -> (frames: [TestClient.Frame], end: String) in
            var frames: [TestClient.Frame] = []
            do {
                while true { frames.append(try subscriber.readFrame()) }
            } catch {
                return (frames, "\(error)")
            }
        }
        try await broker.waitForStats { $0.messagesIn > 0 }
        let summary = await broker.stop()
        _ = try sender.value()
        let (received, end) = try reader.value()
        let data = received.dropLast()
        #expect(received.last?.typeID == ControlFrameType.error.rawValue, "ERROR 8 comes last; the reading ended with: \(end)")
        for (index, frame) in data.enumerated() {
            let value = frame.payload.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            guard value == UInt64(index + 1) else {
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
        let broker = try Broker(configuration: .forTests())
        let addresses = try broker.start()
        _ = await broker.stop()
        #expect(throws: (any Error).self) { try TestClient(addresses[0]) }
        #expect(throws: BrokerError.self) { try broker.start() }
    }
}
