import Glibc
import MyceliumBackends
import MyceliumKit
import Synchronization
import Testing

/// A count shared between a test and its tasks.
private final class Counter: Sendable {
    private let atomic = Atomic<Int>(0)
    var value: Int { atomic.load(ordering: .relaxed) }
    func increment() { atomic.add(1, ordering: .relaxed) }
}

@Suite struct MyceliumClientBackPressureTests {
    /// Waits (at most `seconds`) until `counter` stops moving for 300 ms; returns its value.
    private func settled(_ counter: Counter, seconds: Double = 10) async throws -> Int {
        var last = -1
        var still = 0
        for _ in 0..<Int(seconds * 20) {
            let now = counter.value
            still = now == last ? still + 1 : 0
            if still >= 6 { return now }
            last = now
            try await Task.sleep(for: .milliseconds(50))
        }
        return counter.value
    }

    @Test func publishSuspendsWhileThePeerDoesNotReadAndResumesWhenItDoes() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let peer = try StalledPeer(path: directory.path + "/stalled.sock")
        defer { close(peer.listener) }
        let accepting = Task.detached { try peer.acceptAndGreet() }
        var options = MyceliumClient.Options()
        options.maxPendingBytes = 64 << 10
        let pool = clientPool()
        let client = try await MyceliumClient.connect(to: .unix(path: peer.path), name: "p", pool: pool, options: options)
        let connection = try await accepting.value
        defer { close(connection) }

        let total = 20_000
        let payload = [UInt8](repeating: 0x5A, count: 1000)
        let published = Counter()
        let publisher = Task {
            for _ in 0..<total {
                try await client.publish(typeID: TestTypes.bench, payload: payload)
                published.increment()
            }
        }
        let stalledAt = try await settled(published)
        #expect(stalledAt < total, "publish suspended: \(stalledAt) of \(total) frames queued")
        let held = pool.stats()
        #expect(held.inUse < 100, "pending output is bounded: \(held.inUse) buffers out")

        let reading = Task.detached { try peer.drain(connection, byteCount: total * (FrameHeader.byteCount + payload.count)) }
        try await within(30, "the publisher to finish once the peer reads") {
            try await withTaskCancellationHandler {
                try await publisher.value
            } onCancel: {
                publisher.cancel()
            }
        }
        try await reading.value
        #expect(published.value == total)
        await client.close()
        #expect(pool.stats().inUse == 0)
    }

    @Test func aSubscriberThatDoesNotReadHoldsBoundedMemoryAndIsDroppedAsSlow() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = BrokerConfiguration.forTests(listeners: [.unix(path: directory.path + "/broker.sock")])
        configuration.maxPending = 256 << 10
        try await withBroker(configuration) { broker, addresses in
            var options = MyceliumClient.Options()
            options.streamCapacity = 64
            let pool = clientPool()
            let subscriber = try await MyceliumClient.connect(to: addresses[0], name: "slow", pool: pool, options: options)
            let publisher = try await connectClient(addresses[0])
            let stream = try await subscriber.subscribe([TestTypes.small])
            let total = 40_000
            try await within(30, "publishing past a stalled subscriber") {
                for sequence in 1...total {
                    try await publisher.publish(typeID: TestTypes.small, payload: sequencePayload(sequence))
                }
                try await publisher.flush()
            }
            try await broker.waitForStats { $0.slowConsumers == 1 }
            #expect(broker.stats().slowConsumers == 1)
            // At most the stream's capacity plus what one 64 KiB read holds (14-byte frames).
            let bound = options.streamCapacity + (64 << 10) / (FrameHeader.byteCount + 8) + 2
            let highWater = pool.stats().classes.reduce(0) { $0 + $1.highWater }
            #expect(highWater <= bound, "the subscriber stopped reading at its stream capacity: \(highWater) buffers at most")

            let outcome = try await within(10, "reading the slow stream to its end") { () -> (Int, MyceliumClientError?) in
                var iterator = stream.makeAsyncIterator()
                var count = 0
                do {
                    while let message = try await iterator.next() {
                        count += 1
                        #expect(message.copyBytes() == sequencePayload(count), "in order, none skipped")
                    }
                } catch let error as MyceliumClientError {
                    return (count, error)
                }
                return (count, nil)
            }
            #expect(outcome.0 > 64 && outcome.0 < total)
            guard case .connectionLost(_, let brokerError) = outcome.1 else {
                Issue.record("expected connectionLost, got \(String(describing: outcome.1))")
                return
            }
            // ERROR 6 is sent only if the full socket takes it.
            #expect(brokerError == nil || brokerError?.code == .slowConsumer, "\(String(describing: brokerError))")
            await subscriber.close()
            await publisher.close()
            #expect(pool.stats().inUse == 0)
        }
    }
}
