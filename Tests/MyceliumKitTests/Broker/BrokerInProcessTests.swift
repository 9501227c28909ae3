import Glibc
import MyceliumBackends
import MyceliumKit
import MyceliumTestSupport
import Testing

/// What `call` threw, as its message.
private func message(_ call: () throws -> Void) -> String {
    do {
        try call()
        return "no error"
    } catch {
        return "\(error)"
    }
}

@Suite struct BrokerInProcessTests {
    private func payload(_ size: Int, seed: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) }
    }

    /// The first message of `stream` within a minute: where its payload lives, and a copy.
    private static func first(_ stream: MessageStream) async throws -> (address: UInt, typeID: UInt16, bytes: [UInt8]) {
        try await within(60, "the first message") {
            var iterator = stream.makeAsyncIterator()
            guard let message = try await iterator.next() else { throw TimedOut("the stream ended") }
            return (UInt(bitPattern: message.payload.baseAddress), message.typeID, message.copyBytes())
        }
    }

    /// Reads `stream` to its end (within a minute): the payloads it still held, and the error
    /// it ended with.
    private func drain(_ stream: MessageStream) async throws -> (payloads: [[UInt8]], error: (any Error)?) {
        try await within(60, "the end of the stream") {
            var iterator = stream.makeAsyncIterator()
            var payloads: [[UInt8]] = []
            do {
                while let message = try await iterator.next() { payloads.append(message.copyBytes()) }
                return (payloads, nil)
            } catch {
                return (payloads, error)
            }
        }
    }

    /// The process's open descriptors, by number, with what they point at (the directory
    /// listing's own descriptor left out).
    private static func openDescriptors() -> [String: String] {
        var result: [String: String] = [:]
        for name in DirectoryEntries.names(in: "/proc/self/fd") ?? [] {
            var target = [UInt8](repeating: 0, count: 256)
            let length = target.withUnsafeMutableBytes {
                readlink("/proc/self/fd/" + name, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count)
            }
            // A name that no longer resolves was the listing's own descriptor, closed since.
            if length > 0 { result[name] = String(decoding: target[..<length], as: UTF8.self) }
        }
        return result
    }

    /// In a process of its own, where no other test opens or closes descriptors meanwhile:
    /// every descriptor the process has while the broker runs, and not before, is the
    /// broker's. Left out: `/proc` reads (this check's own) and timerfds, which the engine
    /// never opens and the concurrency runtime's timers do.
    @Test func inProcessOnlyBrokerOpensNoDescriptor() async throws {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            let before = BrokerInProcessTests.openDescriptors()
            let broker = try Broker(configuration: .forTests(pool: "arena", listeners: []))
            try broker.start()
            let stream = try broker.subscribe([TestTypes.small])
            try broker.publish(typeID: TestTypes.small, payload: [1, 2, 3])
            guard try await BrokerInProcessTests.first(stream).bytes == [1, 2, 3] else { exit(2) }
            let opened = BrokerInProcessTests.openDescriptors().filter {
                before[$0.key] != $0.value && !$0.value.hasPrefix("/proc/") && $0.value != "anon_inode:[timerfd]"
            }
            _ = await broker.stop()
            guard opened.isEmpty else {
                let text = Array("opened: \(opened)".utf8)
                _ = write(STDERR_FILENO, text, text.count)
                exit(1)
            }
        }
        if let result, !result.standardErrorContent.isEmpty {
            Issue.record(
                "an in-process-only broker opened descriptors: \(String(decoding: result.standardErrorContent, as: UTF8.self))")
        }
    }

    @Test func inProcessPublishReachesEverySubscriberWithoutACopy() async throws {
        let broker = try Broker(configuration: .forTests(pool: "arena", listeners: []))
        try broker.start()
        let benchOnly = try broker.subscribe([TestTypes.bench])
        let both = try broker.subscribe([TestTypes.small, TestTypes.bench, TestTypes.bench])
        #expect(both.typeIDs == [TestTypes.small, TestTypes.bench])
        var buffer = try broker.pool.acquire(byteCount: 700)
        buffer.append(contentsOf: payload(700, seed: 5))
        let address = UInt(bitPattern: buffer.baseAddress)
        try broker.publish(typeID: TestTypes.bench, buffer: buffer)
        for stream in [benchOnly, both] {
            let message = try await Self.first(stream)
            #expect(message.address == address, "the subscriber reads the publisher's buffer itself")
            #expect(message.typeID == TestTypes.bench)
            #expect(message.bytes == payload(700, seed: 5))
        }
        #expect(broker.stats().pool.inUse == 1, "one buffer, held by both streams")
        let stats = broker.stats()
        #expect(stats.messagesIn == 1 && stats.messagesOut == 2)
        _ = await broker.stop()
        for stream in [benchOnly, both] { _ = try await drain(stream) }
        #expect(broker.stats().pool.inUse == 0)
    }

    @Test func socketFramesReachInProcessSubscribers() async throws {
        try await withBroker(.forTests(pool: "arena")) { broker, addresses in
            let stream = try broker.subscribe([TestTypes.small, TestTypes.large])
            let socketSubscriber = try await TestClient(addresses[0])
            try await socketSubscriber.subscribe([TestTypes.small])
            let publisher = try await TestClient(addresses[0])
            // A run of small frames (read many to a buffer), a large frame (read into its
            // own buffer), and a frame of a type the stream does not take.
            var expected: [(UInt16, [UInt8])] = []
            var bytes: [UInt8] = []
            for seed in 0..<5 {
                bytes += FrameHeader(typeID: TestTypes.small, length: 20).bytes + payload(20, seed: seed)
                expected.append((TestTypes.small, payload(20, seed: seed)))
            }
            bytes += FrameHeader(typeID: TestTypes.bench, length: 4).bytes + [9, 9, 9, 9]
            bytes += FrameHeader(typeID: TestTypes.large, length: 5000).bytes + payload(5000, seed: 7)
            expected.append((TestTypes.large, payload(5000, seed: 7)))
            try await publisher.send(bytes)
            let received = try await stream.collect(expected.count)
            #expect(received.map(\.typeID) == expected.map(\.0))
            #expect(received.map(\.payload) == expected.map(\.1))
            #expect(try await socketSubscriber.sync().count == 5, "socket subscribers still get their copies")
            broker.unsubscribe(stream)
            #expect(try await drain(stream).error == nil)
        }
    }

    @Test func inProcessSubscriptionsComeAndGoWhileLoopsDeliver() async throws {
        // Every subscribe and unsubscribe replaces the set of in-process subscribers that
        // two loops read without a lock, while both deliver runs of socket frames to it.
        var configuration = BrokerConfiguration.forTests(pool: "system")
        configuration.loops = 2
        try await withBroker(configuration) { broker, addresses in
            let batches = 100
            let framesPerBatch = 10
            let total = 2 * batches * framesPerBatch
            let steady = try broker.subscribe([TestTypes.small], bufferedMessages: total)
            // Connections alternate between the loops.
            let publishers = try await TestClient.connect(2, to: addresses[0])
            let perPublisher = batches * framesPerBatch
            let sending = publishers.enumerated().map { index, publisher in
                Task {
                    try await publisher.perform { connection in
                        for batch in 0..<batches {
                            var bytes: [UInt8] = []
                            for frame in 0..<framesPerBatch {
                                bytes +=
                                    FrameHeader(typeID: TestTypes.small, length: 8).bytes
                                    + sequencePayload(index * 1_000_000 + batch * framesPerBatch + frame)
                            }
                            try connection.send(bytes)
                        }
                    }
                }
            }
            for _ in 0..<200 {
                let passing = try broker.subscribe([TestTypes.small, TestTypes.large], bufferedMessages: 4)
                broker.unsubscribe(passing)
            }
            for task in sending { try await task.value }
            let received = try await steady.collect(total)
            let sequences = received.map { frame in
                frame.payload.withUnsafeBytes { Int(littleEndian: $0.loadUnaligned(as: Int.self)) }
            }
            for publisher in 0..<2 {
                // Each publisher's frames arrive once and in order; the two are interleaved.
                let first = publisher * 1_000_000
                #expect(sequences.filter { $0 / 1_000_000 == publisher } == Array(first..<first + perPublisher))
            }
            let stats = try await broker.waitForStats { $0.messagesIn == total }
            #expect(stats.messagesIn == total)
            broker.unsubscribe(steady)
        }
    }

    @Test func inProcessPublishesReachSocketSubscribersOnEveryLoop() async throws {
        var configuration = BrokerConfiguration.forTests(pool: "lockfree")
        configuration.loops = 2
        try await withBroker(configuration) { broker, addresses in
            // Connections alternate between the loops.
            let subscribers = try await TestClient.connect(2, to: addresses[0])
            for subscriber in subscribers { try await subscriber.subscribe([TestTypes.small, TestTypes.large]) }
            for sequence in 0..<100 { try broker.publish(typeID: TestTypes.small, payload: sequencePayload(sequence)) }
            try broker.publish(typeID: TestTypes.large, payload: payload(70_000, seed: 3))
            for subscriber in subscribers {
                for sequence in 0..<100 {
                    #expect(
                        try await subscriber.readFrame() == .init(typeID: TestTypes.small, payload: sequencePayload(sequence)))
                }
                #expect(try await subscriber.readFrame() == .init(typeID: TestTypes.large, payload: payload(70_000, seed: 3)))
            }
            let stats = try await broker.waitForStats { $0.messagesOut == 202 }
            #expect(stats.messagesIn == 101 && stats.messagesOut == 202)
        }
    }

    @Test func clientsAndInProcessPeersExchangeBothWays() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = BrokerConfiguration.forTests(
            pool: "arena", listeners: [.unix(path: directory.path + "/bus.sock")])
        try await withBroker(configuration) { broker, addresses in
            let client = try await connectClient(addresses[0])
            let fromClient = try broker.subscribe([TestTypes.small])
            let toClient = try await client.subscribe([TestTypes.bench])
            for sequence in 0..<50 {
                try await client.publish(typeID: TestTypes.small, payload: sequencePayload(sequence))
                try broker.publish(typeID: TestTypes.bench, payload: sequencePayload(sequence))
            }
            #expect(try await fromClient.collect(50).map(\.payload) == (0..<50).map(sequencePayload))
            #expect(try await toClient.collect(50).map(\.payload) == (0..<50).map(sequencePayload))
            broker.unsubscribe(fromClient)
            _ = try await drain(fromClient)
            try await client.close()
        }
    }

    @Test func slowInProcessSubscriberIsDisconnectedAndOthersGoOn() async throws {
        let broker = try Broker(configuration: .forTests(listeners: []))
        try broker.start()
        let slow = try broker.subscribe([TestTypes.small], bufferedMessages: 4)
        let healthy = try broker.subscribe([TestTypes.small])
        for sequence in 0..<6 { try broker.publish(typeID: TestTypes.small, payload: sequencePayload(sequence)) }
        let ended = try await drain(slow)
        #expect(ended.payloads == (0..<4).map(sequencePayload))
        #expect(
            "\(ended.error.map { "\($0)" } ?? "no error")"
                == "the in-process subscriber of type ids 1001 let 4 messages wait and was disconnected; read faster, subscribe with more bufferedMessages, or use the drop-oldest policy"
        )
        #expect(try await healthy.collect(6).map(\.payload) == (0..<6).map(sequencePayload))
        let stats = broker.stats()
        #expect(stats.slowConsumers == 1 && stats.messagesOut == 10)
        _ = await broker.stop()
        #expect(broker.stats().pool.inUse <= 1, "only the healthy stream's current message is held")
    }

    @Test func dropOldestKeepsTheNewestMessages() async throws {
        var configuration = BrokerConfiguration.forTests(listeners: [])
        configuration.slowConsumerPolicy = .dropOldest
        let broker = try Broker(configuration: configuration)
        try broker.start()
        let stream = try broker.subscribe([TestTypes.small], bufferedMessages: 4)
        for sequence in 0..<10 { try broker.publish(typeID: TestTypes.small, payload: sequencePayload(sequence)) }
        #expect(broker.stats().dropped == 6)
        #expect(broker.stats().pool.inUse == 4, "dropped messages went back to the pool")
        broker.unsubscribe(stream)
        let ended = try await drain(stream)
        #expect(ended.payloads == (6..<10).map(sequencePayload))
        #expect(ended.error == nil)
        _ = await broker.stop()
        #expect(broker.stats().pool.inUse == 0)
    }

    @Test func unsubscribeEndsTheStreamAfterItsMessages() async throws {
        let broker = try Broker(configuration: .forTests(listeners: []))
        try broker.start()
        let stream = try broker.subscribe([TestTypes.small])
        try broker.publish(typeID: TestTypes.small, payload: [1])
        try broker.publish(typeID: TestTypes.small, payload: [2])
        broker.unsubscribe(stream)
        try broker.publish(typeID: TestTypes.small, payload: [3])
        let ended = try await drain(stream)
        #expect(ended.payloads == [[1], [2]] && ended.error == nil)
        #expect(broker.stats().messagesIn == 3 && broker.stats().messagesOut == 2)
        _ = await broker.stop()
    }

    @Test func stopEndsStreamsAfterTheirMessagesAndRefusesMore() async throws {
        let broker = try Broker(configuration: .forTests(listeners: []))
        let early = try broker.subscribe([TestTypes.small])
        try broker.publish(typeID: TestTypes.small, payload: [1])
        try broker.start()
        try broker.publish(typeID: TestTypes.small, payload: [2])
        _ = await broker.stop()
        let ended = try await drain(early)
        #expect(ended.payloads == [[1], [2]])
        #expect("\(ended.error.map { "\($0)" } ?? "no error")" == "the broker has stopped")
        #expect(message { try broker.publish(typeID: TestTypes.small, payload: [3]) } == "the broker has stopped")
        #expect(message { _ = try broker.subscribe([TestTypes.small]) } == "the broker has stopped")
        #expect(broker.stats().pool.inUse == 0)
    }

    @Test func badInProcessCallsAreErrorsThatSayWhy() async throws {
        var configuration = BrokerConfiguration.forTests(listeners: [])
        // Room for one region of two 1 KiB buffers, not for a second.
        let poolConfiguration = PoolConfiguration(
            plan: SizeClassPlan(classes: [.init(size: 1024, capacity: 2)]), memoryBudget: 3000, overflowPolicy: .fail)
        configuration.pool = .instance(try PoolRegistry.builtIn.make("mutex", configuration: poolConfiguration))
        let broker = try Broker(configuration: configuration)
        try broker.start()
        #expect(
            message { try broker.publish(typeID: 4242, payload: [1]) }
                == "type id 4242 is not among the broker's message types; add it to the catalog (or the configuration's MessageTypeTable)"
        )
        #expect(
            message { try broker.publish(typeID: TestTypes.small, payload: payload(65, seed: 0)) }
                == "a 65-byte payload of type 1001 is above its maximum of 64 bytes")
        #expect(
            message { _ = try broker.subscribe([TestTypes.small, 7]) }
                == "type id 7 is not among the broker's message types; add it to the catalog (or the configuration's MessageTypeTable)"
        )
        #expect(message { _ = try broker.subscribe([]) } == "subscribe needs at least one type id")
        #expect(
            message { _ = try broker.subscribe([TestTypes.small], bufferedMessages: 0) }
                == "bufferedMessages must be at least 1, got 0")
        let stream = try broker.subscribe([TestTypes.bench])
        try broker.publish(typeID: TestTypes.bench, payload: payload(1024, seed: 1))
        try broker.publish(typeID: TestTypes.bench, payload: payload(1024, seed: 2))
        #expect(
            message { try broker.publish(typeID: TestTypes.bench, payload: payload(1024, seed: 3)) }
                == "in-process publish: pool memory budget of 3000 bytes is spent; a 1024-byte buffer must wait until buffers are returned (or raise the budget, or use the 'allocate' overflow policy)"
        )
        _ = await broker.stop()
        #expect(try await drain(stream).payloads.count == 2)
        #expect(broker.stats().pool.inUse == 0)
    }
}
