import Glibc
import MyceliumKit
import Synchronization
import Testing

@Suite struct BrokerSlowConsumerTests {
    private final class Progress: Sendable {
        let received = Atomic(0)
    }

    private static let maxPending = 1 << 20
    private static let floodFrames = 20_000
    private static let floodPayload = [UInt8](repeating: 0x5A, count: 1000)

    /// Floods type `bench` past a subscriber that never reads (its receive buffer kept
    /// small), beside a fast subscriber that must get every frame and a healthy pair.
    /// Returns the stats at the end of the flood and the never-reading client.
    private func flood(policy: BrokerConfiguration.SlowConsumerPolicy) async throws -> (BrokerStats, Int) {
        var configuration = BrokerConfiguration.forTests()
        configuration.maxPending = Self.maxPending
        configuration.slowConsumerPolicy = policy
        var result = (BrokerStats?.none, 0)
        try await withBroker(configuration) { broker, addresses in
            let pair = try HealthyPair(addresses[0])
            let stalled = try TestClient(addresses[0], receiveBufferBytes: 4096)
            try stalled.subscribe([TestTypes.bench])
            let fast = try TestClient(addresses[0])
            try fast.subscribe([TestTypes.bench])
            let progress = Progress()
            let reader = BackgroundThread { () -> Int in
                var count = 0
                while count < Self.floodFrames, let frame = try? fast.readFrame(), frame.payload == Self.floodPayload {
                    count += 1
                    progress.received.store(count, ordering: .releasing)
                }
                return count
            }
            let publisher = try TestClient(addresses[0])
            var batch: [UInt8] = []
            for index in 1...Self.floodFrames {
                batch += FrameHeader(typeID: TestTypes.bench, length: UInt32(Self.floodPayload.count)).bytes
                batch += Self.floodPayload
                if index % 50 == 0 {
                    // Like pubsub-load's window: the fast subscriber must not fall behind
                    // by more than its pending limit, or it would be a slow consumer too.
                    for _ in 0..<10_000 where index - progress.received.load(ordering: .acquiring) > 400 {
                        usleep(500)
                    }
                    try publisher.send(batch)
                    batch.removeAll(keepingCapacity: true)
                    if index % 2000 == 0 {
                        try pair.exchange(5)
                    }
                }
            }
            #expect(try reader.value() == Self.floodFrames, "the fast subscriber got every frame")
            try pair.exchange()
            let stats = try await broker.waitForStats { $0.messagesIn == Self.floodFrames + 60 }
            let bytesInUse = stats.pool.classes.reduce(0) { $0 + $1.inUse * $1.size }
            #expect(bytesInUse < 2 * Self.maxPending + (1 << 20), "broker memory bounded: \(bytesInUse) bytes in use")
            result = (stats, policy == .disconnect ? (stalled.isClosedByPeer() ? 1 : 0) : (try stalled.sync().count))
        }
        return (result.0!, result.1)
    }

    @Test func disconnectsASubscriberThatNeverReads() async throws {
        let (stats, closed) = try await flood(policy: .disconnect)
        #expect(stats.slowConsumers == 1)
        #expect(stats.dropped == 0)
        #expect(closed == 1, "the stalled subscriber was closed")
    }

    @Test func dropOldestKeepsTheSubscriberAndCountsDrops() async throws {
        let (stats, received) = try await flood(policy: .dropOldest)
        #expect(stats.slowConsumers == 0)
        #expect(stats.dropped > 0)
        #expect(received > 0 && received < Self.floodFrames, "still connected; it got \(received) frames")
        #expect(stats.dropped + received == Self.floodFrames, "every frame was delivered or counted as dropped")
    }
}
