import Glibc
import MyceliumBackends
import MyceliumKit
import MyceliumTestSupport
import Synchronization
import Testing

/// A count shared between a test and its tasks.
private final class Counter: Sendable {
    private let atomic = Atomic<Int>(0)
    var value: Int { atomic.load(ordering: .relaxed) }
    func increment() { atomic.add(1, ordering: .relaxed) }
}

@Suite struct MyceliumClientBackPressureTests {
    @Test func publishSuspendsWhileThePeerDoesNotReadAndResumesWhenItDoes() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let peer = try StalledPeer(path: directory.path + "/stalled.sock")
        defer { close(peer.listener) }
        let accepting = Task { try await onThread { try peer.acceptAndGreet() } }
        var options = MyceliumClient.Options.forTests
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
        try await waitUntil("a publish suspended by back-pressure") { client.suspendedPublishers == 1 }
        let stalledAt = published.value
        #expect(stalledAt < total, "publish suspended: \(stalledAt) of \(total) frames queued")
        let held = pool.stats()
        #expect(held.inUse < 100, "pending output is bounded: \(held.inUse) buffers out")

        let reading = Task {
            try await onThread { try peer.drain(connection, byteCount: total * (FrameHeader.byteCount + payload.count)) }
        }
        try await within(30, "the publisher to finish once the peer reads") {
            try await withTaskCancellationHandler {
                try await publisher.value
            } onCancel: {
                publisher.cancel()
            }
        }
        try await reading.value
        #expect(published.value == total)
        // The peer reads but never answers the PING that would confirm the frames.
        let closing = await clientError { try await client.close(timeout: .milliseconds(100)) }
        #expect(
            closing
                == .timedOut(
                    request: "the flush before close (frames published before close may be lost)", after: .milliseconds(100)))
        #expect(pool.stats().inUse == 0)
    }

    @Test func aSubscriberThatDoesNotReadHoldsBoundedMemoryAndIsDroppedAsSlow() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = BrokerConfiguration.forTests(listeners: [.unix(path: directory.path + "/broker.sock")])
        configuration.maxPending = 256 << 10
        try await withBroker(configuration) { broker, addresses in
            var options = MyceliumClient.Options.forTests
            options.streamCapacity = 64
            let pool = clientPool()
            let subscriber = try await MyceliumClient.connect(to: addresses[0], name: "slow", pool: pool, options: options)
            let publisher = try await connectClient(addresses[0])
            let stream = try await subscriber.subscribe([TestTypes.small])
            // 1.4 MB of frames: well past what the kernel's socket buffers, the subscriber's
            // one read and the broker's 256 KiB limit hold together, whatever their sizes.
            let total = 100_000
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
            guard let lost = outcome.1, lost.code == .connectionLost else {
                Issue.record("expected connectionLost, got \(String(describing: outcome.1))")
                return
            }
            let brokerError = lost.brokerError
            // ERROR 6 is sent only if the full socket takes it.
            #expect(brokerError == nil || brokerError?.code == .slowConsumer, "\(String(describing: brokerError))")
            try await subscriber.close()
            try await publisher.close()
            #expect(pool.stats().inUse == 0)
        }
    }
}

@Suite struct MyceliumClientBrokerBackPressureTests {
    @Test func aPublisherIntoAStalledSubscriberSuspendsAndResumesWhenItReads() async throws {
        // Over Unix sockets, whose kernel buffers are small next to TCP's auto-tuned ones.
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = BrokerConfiguration.forTests(listeners: [.unix(path: directory.path + "/broker.sock")])
        configuration.maxPending = 64 << 20
        // A small budget with the `fail` policy: the broker pauses the publisher when its
        // queued frames for the stalled subscriber have spent it. The frames (1 KiB) are
        // above this copy limit, so each is read into a buffer of its own, which pauses the
        // publisher when there is none; a copied frame would be dropped and counted instead.
        configuration.copyThreshold = 512
        let budget = 2 << 20
        let brokerPool = try PoolRegistry.builtIn.make(
            "arena",
            configuration: PoolConfiguration(
                plan: configuration.sizeClassPlan, memoryBudget: budget, overflowPolicy: .fail))
        configuration.pool = .instance(brokerPool)
        try await withBroker(configuration) { _, addresses in
            var subscriberOptions = MyceliumClient.Options.forTests
            subscriberOptions.streamCapacity = 64
            let subscriber = try await connectClient(addresses[0], name: "stalled", options: subscriberOptions)
            var publisherOptions = MyceliumClient.Options.forTests
            publisherOptions.maxPendingBytes = 64 << 10
            let publisherPool = clientPool()
            let publisher = try await MyceliumClient.connect(
                to: addresses[0], name: "publisher", pool: publisherPool, options: publisherOptions)
            let stream = try await subscriber.subscribe([TestTypes.bench])
            let total = 20_000
            let published = Counter()
            let publishing = Task {
                for sequence in 1...total {
                    try await publisher.publish(
                        typeID: TestTypes.bench, payload: sequencePayload(sequence) + [UInt8](repeating: 0, count: 1016))
                    published.increment()
                }
            }
            try await waitUntil("a publish suspended by back-pressure") { publisher.suspendedPublishers == 1 }
            let stalledAt = published.value
            #expect(stalledAt < total, "publish suspended: \(stalledAt) of \(total) frames queued")
            #expect(brokerPool.stats().bytesReserved <= budget, "the broker stayed within its budget")
            #expect(publisherPool.stats().inUse < 100, "the publisher's pending output is bounded")

            let reading = Task { () -> Int in
                var iterator = stream.makeAsyncIterator()
                var count = 0
                while count < total, let message = try await iterator.next() {
                    count += 1
                    guard message.payload.loadUnaligned(as: UInt64.self) == UInt64(count).littleEndian else {
                        Issue.record("frame \(count) arrived out of order")
                        break
                    }
                }
                return count
            }
            let received = try await within(60, "reading every frame once the subscriber reads") {
                try await withTaskCancellationHandler {
                    try await reading.value
                } onCancel: {
                    reading.cancel()
                }
            }
            #expect(received == total, "nothing was dropped: the broker paused the publisher instead")
            try await within(10, "the publisher to finish") {
                try await withTaskCancellationHandler {
                    try await publishing.value
                } onCancel: {
                    publishing.cancel()
                }
            }
            let stats = try await publisher.stats()
            #expect(stats.slowConsumers == 0 && stats.dropped == 0)
            try await subscriber.close()
            try await publisher.close()
        }
    }
}
