import Foundation
import MyceliumKit
import MyceliumTestSupport
import Testing

@Suite struct BrokerSlowConsumerTests {
    /// How many frames the fast subscriber has read, and a wait for it to catch up.
    private final class Progress: @unchecked Sendable {
        private let condition = NSCondition()
        private var received = 0

        func set(_ count: Int) {
            condition.withLock {
                received = count
                condition.broadcast()
            }
        }

        /// Waits until at least `count` frames were read; throws after 20 s.
        func wait(for count: Int) throws {
            let deadline = Date(timeIntervalSinceNow: 20)
            try condition.withLock {
                while received < count {
                    guard condition.wait(until: deadline) else {
                        throw TimedOut("the fast subscriber read \(received) frames, not \(count), within 20 s")
                    }
                }
            }
        }
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
            let pair = try await HealthyPair(addresses[0])
            let stalled = try await TestClient(addresses[0], receiveBufferBytes: 4096)
            try await stalled.subscribe([TestTypes.bench])
            let fast = try await TestClient(addresses[0])
            try await fast.subscribe([TestTypes.bench])
            let progress = Progress()
            async let read = fast.perform { connection -> Int in
                var count = 0
                while count < Self.floodFrames, let frame = try? connection.readFrame(), frame.payload == Self.floodPayload {
                    count += 1
                    progress.set(count)
                }
                return count
            }
            let publisher = try await TestClient(addresses[0])
            for round in 1...Self.floodFrames / 50 {
                // Like pubsub-load's window: the fast subscriber must not fall behind by more
                // than its pending limit, or it would be a slow consumer too.
                try await publisher.perform { connection in
                    try progress.wait(for: round * 50 - 400)
                    var batch: [UInt8] = []
                    for _ in 0..<50 {
                        batch += FrameHeader(typeID: TestTypes.bench, length: UInt32(Self.floodPayload.count)).bytes
                        batch += Self.floodPayload
                    }
                    try connection.send(batch)
                }
                if round % 40 == 0 {
                    try await pair.exchange(5)
                }
            }
            #expect(try await read == Self.floodFrames, "the fast subscriber got every frame")
            try await pair.exchange()
            let stats = try await broker.waitForStats { $0.messagesIn == Self.floodFrames + 60 }
            let bytesInUse = stats.pool.classes.reduce(0) { $0 + $1.inUse * $1.size }
            #expect(bytesInUse < 2 * Self.maxPending + (1 << 20), "broker memory bounded: \(bytesInUse) bytes in use")
            result = (
                stats, policy == .disconnect ? (try await stalled.isClosedByPeer() ? 1 : 0) : (try await stalled.sync().count)
            )
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
