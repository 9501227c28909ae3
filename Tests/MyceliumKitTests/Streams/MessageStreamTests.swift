import Glibc
import MyceliumBackends
import MyceliumKit
import MyceliumTestSupport
import Synchronization
import Testing

@Suite struct MessageStreamTests {
    @Test(arguments: ["tcp", "unix"])
    func roundTripsInOrder(transport: String) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let listener: SocketAddress =
            transport == "tcp" ? .tcp(host: "127.0.0.1", port: 0) : .unix(path: directory.path + "/broker.sock")
        try await withBroker(.forTests(listeners: [listener])) { _, addresses in
            let subscriber = try await connectClient(addresses[0], name: "subscriber")
            let publisher = try await connectClient(addresses[0], name: "publisher")
            let stream = try await subscriber.subscribe([TestTypes.small, TestTypes.bench])
            for sequence in 1...200 {
                try await publisher.publish(typeID: TestTypes.small, payload: sequencePayload(sequence))
            }
            try await publisher.publish(typeID: TestTypes.bench, payload: [UInt8](repeating: 7, count: 1024))
            let received = try await stream.collect(201)
            #expect(received.prefix(200).map(\.payload) == (1...200).map(sequencePayload))
            #expect(received.prefix(200).allSatisfy { $0.typeID == TestTypes.small })
            #expect(received.last?.typeID == TestTypes.bench)
            #expect(received.last?.payload == [UInt8](repeating: 7, count: 1024))
            try await subscriber.close()
            try await publisher.close()
        }
    }

    @Test func everySubscriberAndEveryStreamGetsEachMessage() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let publisher = try await connectClient(addresses[0])
            let own = try await publisher.subscribe([TestTypes.small])
            var clients: [MyceliumClient] = []
            var streams: [MessageStream] = [own]
            for _ in 0..<3 {
                let client = try await connectClient(addresses[0])
                clients.append(client)
                streams.append(try await client.subscribe([TestTypes.small]))
            }
            streams.append(try await clients[0].subscribe([TestTypes.small]))
            for sequence in 1...20 {
                try await publisher.publish(typeID: TestTypes.small, payload: sequencePayload(sequence))
            }
            for stream in streams {
                #expect(try await stream.collect(20).map(\.payload) == (1...20).map(sequencePayload))
            }
            for client in clients + [publisher] { try await client.close() }
        }
    }

    @Test func takeBufferKeepsThePayloadPastNextWithoutACopy() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let pool = clientPool()
            let subscriber = try await MyceliumClient.connect(to: addresses[0], name: "s", pool: pool, options: .forTests)
            let publisher = try await connectClient(addresses[0])
            let stream = try await subscriber.subscribe([TestTypes.small])
            for sequence in 1...3 {
                try await publisher.publish(typeID: TestTypes.small, payload: sequencePayload(sequence))
            }
            let smallClass = pool.stats().classes[0]
            let (kept, second, takenTwice, takenLate) = try await within(10, "reading") {
                var iterator = stream.makeAsyncIterator()
                guard let first = try await iterator.next() else { throw TimedOut("stream ended") }
                guard let buffer = first.takeBuffer() else { throw TimedOut("no buffer to take") }
                #expect(buffer.baseAddress == first.payload.baseAddress, "the taken buffer is the one viewed")
                let takenTwice = first.takeBuffer() != nil
                guard let second = try await iterator.next() else { throw TimedOut("stream ended") }
                let secondPayload = second.copyBytes()
                _ = try await iterator.next()
                let takenLate = second.takeBuffer() != nil
                return (buffer.copyBytes(), secondPayload, takenTwice, takenLate)
            }
            #expect(kept == sequencePayload(1))
            #expect(second == sequencePayload(2))
            #expect(!takenTwice, "a buffer is taken once")
            #expect(!takenLate, "a message's buffer cannot be taken after the next next()")
            let afterwards = pool.stats().classes[0]
            #expect(afterwards.acquires - smallClass.acquires <= 3)
            #expect(afterwards.inUse <= 1, "only the current message's buffer is still out")
            try await subscriber.close()
            try await publisher.close()
            #expect(pool.stats().inUse == 1, "the stream holds the last message it handed out")
            let end = await clientError { _ = try await stream.collect(1) }
            #expect(end == .closed)
            #expect(pool.stats().inUse == 0, "every buffer is back once the stream is read to its end")
        }
    }

    @Test func largeFramesArriveWholeAndZeroCopyPublishSendsAPooledBuffer() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let subscriber = try await connectClient(addresses[0])
            let publisher = try await connectClient(addresses[0])
            let stream = try await subscriber.subscribe([TestTypes.large])
            let size = 1 << 20
            var buffer = try publisher.pool.acquire(byteCount: size)
            buffer.withUnsafeMutableBytes { bytes in
                for index in 0..<size { bytes[index] = UInt8(truncatingIfNeeded: index &* 7) }
            }
            buffer.count = size
            try await publisher.publish(typeID: TestTypes.large, buffer: buffer)
            try await publisher.publish(typeID: TestTypes.large, payload: [UInt8](repeating: 3, count: 600))
            let received = try await stream.collect(2)
            #expect(received[0].payload == (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            #expect(received[1].payload == [UInt8](repeating: 3, count: 600))
            try await publisher.flush()
            #expect(publisher.pool.stats().inUse <= 2, "the published buffers went back once written")
            try await subscriber.close()
            try await publisher.close()
        }
    }

    @Test func cancellingAWaitingConsumerEndsItsWait() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let client = try await connectClient(addresses[0])
            let stream = try await client.subscribe([TestTypes.small])
            let consumer = Task {
                var iterator = stream.makeAsyncIterator()
                return try await iterator.next()
            }
            // Waiting already or not yet: either way next() must end with CancellationError.
            consumer.cancel()
            let result = try await within(60, "a cancelled next()") { await consumer.result }
            guard case .failure(let error) = result else {
                Issue.record("expected CancellationError, got \(result)")
                return
            }
            #expect(error is CancellationError)
            try await client.publish(typeID: TestTypes.small, payload: [4])
            #expect(try await stream.collect(1).map(\.payload) == [[4]], "the stream goes on after a cancelled wait")
            try await client.close()
        }
    }

    @Test func unsubscribeEndsTheStreamAndStopsDelivery() async throws {
        try await withBroker(.forTests()) { broker, addresses in
            let client = try await connectClient(addresses[0])
            let kept = try await client.subscribe([TestTypes.small])
            let dropped = try await client.subscribe([TestTypes.small, TestTypes.bench])
            try await client.unsubscribe(dropped)
            #expect(try await dropped.collect(1).isEmpty, "an unsubscribed stream ends normally")
            try await client.publish(typeID: TestTypes.bench, payload: [1])
            try await client.publish(typeID: TestTypes.small, payload: [2])
            #expect(try await kept.collect(1).map(\.payload) == [[2]])
            try await client.flush()
            #expect(broker.stats().messagesOut == 1, "bench was unsubscribed at the broker")
            try await client.close()
        }
    }
}
