import MyceliumBackends
import MyceliumKit
import MyceliumTestSupport
import Testing

/// Bytes a pool's classes hold out now.
private func bytesInUse(_ pool: SystemPool) -> Int {
    pool.stats().classes.reduce(0) { $0 + $1.inUse * $1.size }
}

/// A client hands a read's frames to a stream as views of its receive buffer (one shared
/// chunk) when they fill at least half of it: the messages must stay valid while they are
/// looked at, whatever the loop reads meanwhile, and a stalled stream must hold bounded memory.
@Suite struct ReceiveChunkTests {
    @Test func aMessageCutFromOneReadOutlivesTheNextReadAndTakesACopy() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withBroker(.forTests(listeners: [.unix(path: directory.path + "/broker.sock")])) { _, addresses in
            var options = MyceliumClient.Options.forTests
            // 8 KiB reads of 70-byte frames: a read of a 14 KB run fills its buffer past half.
            options.bufferSize = 8 << 10
            let pool = SystemPool(
                configuration: PoolConfiguration(
                    plan: TestTypes.table.sizeClassPlan.adding([.init(size: options.bufferSize, capacity: 16)])))
            let subscriber = try await MyceliumClient.connect(
                to: addresses[0], name: "subscriber", pool: pool, options: options)
            let publisher = try await connectClient(addresses[0], name: "publisher")
            let stream = try await subscriber.subscribe([TestTypes.bench])
            let runLength = 200
            try await publisher.publish(
                encodedFrames: try encodedRun(for: publisher, typeID: TestTypes.bench, payloadSize: 64, from: 1, count: runLength)
            )
            try await publisher.flush()

            try await within(20, "reading past the next read") {
                var iterator = stream.makeAsyncIterator()
                for expected in 1..<100 {
                    guard let message = try await iterator.next() else { throw TimedOut("the stream ended") }
                    #expect(sequence(message.payload) == expected)
                }
                guard let held = try await iterator.next() else { throw TimedOut("the stream ended") }
                let heldCopy = held.copyBytes()
                // The second run is read (the PONG comes behind it) while `held` is current.
                try await publisher.publish(
                    encodedFrames: try encodedRun(
                        for: publisher, typeID: TestTypes.bench, payloadSize: 64, from: runLength + 1, count: runLength))
                try await publisher.flush()
                _ = try await subscriber.ping()
                #expect(Array(held.payload) == heldCopy, "the held message's bytes are untouched by the reads after it")
                #expect(sequence(held.payload) == 100)

                guard let taken = held.takeBuffer() else { throw TimedOut("no buffer to take") }
                #expect(taken.baseAddress != held.payload.baseAddress, "a message of a shared chunk is copied out")
                #expect(taken.copyBytes() == heldCopy)
                let takenTwice = held.takeBuffer() != nil
                #expect(!takenTwice, "a message is taken once")
                for expected in 101...(2 * runLength) {
                    guard let message = try await iterator.next() else { throw TimedOut("the stream ended") }
                    #expect(sequence(message.payload) == expected, "every frame once, in order")
                }
                #expect(taken.copyBytes() == heldCopy, "the taken copy outlives its chunk")
            }
            try await subscriber.close()
            try await publisher.close()
            let end = await clientError { _ = try await stream.collect(1) }
            #expect(end == .closed)
            #expect(pool.stats().inUse == 0, "every chunk is back once the stream is read to its end")
        }
    }

    @Test func aStalledStreamHoldsAboutTwiceItsMessagesAndResumesWhenRead() async throws {
        // Over a Unix socket, whose kernel buffers are small next to TCP's auto-tuned ones.
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withBroker(.forTests(listeners: [.unix(path: directory.path + "/broker.sock")])) { _, addresses in
            var options = MyceliumClient.Options.forTests
            options.streamCapacity = 64
            let pool = clientPool()
            let subscriber = try await MyceliumClient.connect(to: addresses[0], name: "stalled", pool: pool, options: options)
            let publisher = try await connectClient(addresses[0], name: "publisher")
            let stream = try await subscriber.subscribe([TestTypes.bench])
            // 2.8 MB of frames: past what the kernel's socket buffers and the stream hold.
            let total = 40_000
            let runLength = 500
            let frameBytes = FrameHeader.byteCount + 64
            for first in stride(from: 1, through: total, by: runLength) {
                try await publisher.publish(
                    encodedFrames: try encodedRun(
                        for: publisher, typeID: TestTypes.bench, payloadSize: 64, from: first, count: runLength))
            }
            try await publisher.flush()
            // The subscriber stopped reading once its stream was full: the rest waits at the broker.
            _ = try await eventually("the subscriber to stop reading", { try await publisher.connections() }) {
                ($0.connections.first { $0.name == "stalled" }?.pendingBytes ?? 0) > 0
            }
            // Waiting: the capacity plus one read's frames; each chunk handed over is at least
            // half full of them, and the loop holds one receive buffer.
            let waiting = options.streamCapacity + options.bufferSize / frameBytes + 1
            let bound = 2 * waiting * frameBytes + 2 * options.bufferSize
            #expect(bytesInUse(pool) <= bound, "\(bytesInUse(pool)) bytes held, at most \(bound)")

            let received = try await within(30, "reading every frame once the stream is read") {
                var expected = 1
                var iterator = stream.makeAsyncIterator()
                while expected <= total, let message = try await iterator.next() {
                    #expect(sequence(message.payload) == expected, "in order, none skipped")
                    expected += 1
                }
                return expected - 1
            }
            #expect(received == total)
            try await subscriber.close()
            try await publisher.close()
            #expect(pool.stats().inUse <= 1, "at most the last message's chunk is out: \(pool.stats().inUse)")
        }
    }
}
