import Foundation
import Glibc
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
    /// Payload bytes of a flood: 20 MB, twenty times the pending limit.
    private static let floodBytes = 20_000_000
    /// A medium payload (copied into each subscriber's output at the default copy threshold)
    /// and a large one (above any copy threshold: read into its own buffer, queued by reference).
    private static let payloadSizes = [1000, 64 << 10]

    /// Floods type `large` past a subscriber that never reads (its receive buffer kept
    /// small), beside a fast subscriber that must get every frame and a healthy pair.
    /// Returns the stats at the end of the flood, the frames sent, and what the never-reading
    /// client shows: 1 when closed (disconnect), the frames it can still read (drop-oldest).
    /// Checks that the broker's memory stays bounded, and that it all returns to the pool
    /// once the stalled subscriber is gone.
    private func flood(policy: BrokerConfiguration.SlowConsumerPolicy, payloadBytes: Int) async throws -> (
        BrokerStats, frames: Int, stalled: Int
    ) {
        var configuration = BrokerConfiguration.forTests(pool: "arena")
        configuration.maxPending = Self.maxPending
        configuration.slowConsumerPolicy = policy
        // Batches and the window the publisher keeps ahead of the fast subscriber stay
        // within the pending limit, so that only the stalled subscriber falls behind.
        let frameBytes = FrameHeader.byteCount + payloadBytes
        let batchFrames = min(50, Self.maxPending / 4 / frameBytes)
        let window = Self.maxPending / 2 / frameBytes
        let rounds = Self.floodBytes / payloadBytes / batchFrames
        let frames = rounds * batchFrames
        let payload = [UInt8](repeating: 0x5A, count: payloadBytes)
        var result = (BrokerStats?.none, frames, 0)
        try await withBroker(configuration) { broker, addresses in
            let pair = try await HealthyPair(addresses[0])
            let stalled = try await TestClient(addresses[0], receiveBufferBytes: 4096)
            try await stalled.subscribe([TestTypes.large])
            let fast = try await TestClient(addresses[0], timeoutSeconds: 20)
            try await fast.subscribe([TestTypes.large])
            let idle = try await broker.waitForStats { $0.pool.inUse <= 1 }.pool.inUse
            let progress = Progress()
            async let read = fast.perform { connection -> Int in
                var count = 0
                while count < frames, let frame = try? connection.readFrame(), frame.payload == payload {
                    count += 1
                    progress.set(count)
                }
                return count
            }
            let publisher = try await TestClient(addresses[0], timeoutSeconds: 20)
            for round in 1...rounds {
                // Like pubsub-load's window: the fast subscriber must not fall behind by more
                // than its pending limit, or it would be a slow consumer too.
                try await publisher.perform { connection in
                    try progress.wait(for: (round - 1) * batchFrames - window)
                    var batch: [UInt8] = []
                    for _ in 0..<batchFrames {
                        batch += FrameHeader(typeID: TestTypes.large, length: UInt32(payloadBytes)).bytes
                        batch += payload
                    }
                    try connection.send(batch)
                }
                if round % 40 == 0 {
                    try await pair.exchange(5)
                }
            }
            #expect(try await read == frames, "the fast subscriber got every frame")
            try await pair.exchange()
            let exchanges = rounds / 40 * 5 + 10
            let stats = try await broker.waitForStats { $0.messagesIn == frames + exchanges }
            let bytesInUse = stats.pool.classes.reduce(0) { $0 + $1.inUse * $1.size }
            #expect(bytesInUse < 2 * Self.maxPending + (1 << 20), "broker memory bounded: \(bytesInUse) bytes in use")
            result = (
                stats, frames,
                policy == .disconnect ? (try await stalled.isClosedByPeer() ? 1 : 0) : (try await stalled.sync().count)
            )
            // What the stalled subscriber held is back in the pool once it is gone (closed by
            // the broker, or by itself after reading for drop-oldest).
            shutdown(stalled.fd, Int32(SHUT_RDWR))
            try await broker.waitForStats { $0.connections == 4 && $0.pool.inUse <= idle }
        }
        return (result.0!, result.1, result.2)
    }

    @Test(arguments: payloadSizes)
    func disconnectsASubscriberThatNeverReads(payloadBytes: Int) async throws {
        let (stats, _, closed) = try await flood(policy: .disconnect, payloadBytes: payloadBytes)
        #expect(stats.slowConsumers == 1)
        #expect(stats.dropped == 0)
        #expect(closed == 1, "the stalled subscriber was closed")
    }

    @Test(arguments: payloadSizes)
    func dropOldestKeepsTheSubscriberAndCountsDrops(payloadBytes: Int) async throws {
        let (stats, frames, received) = try await flood(policy: .dropOldest, payloadBytes: payloadBytes)
        #expect(stats.slowConsumers == 0)
        #expect(stats.dropped > 0)
        #expect(received > 0 && received < frames, "still connected; it got \(received) frames")
        #expect(stats.dropped + received == frames, "every frame was delivered or counted as dropped")
    }
}
