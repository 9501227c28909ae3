import Glibc
import MyceliumKit
import MyceliumTestSupport
import Testing

/// Subscriptions with a ``MessageHandler``: called on the client's thread for every message,
/// in order, ended exactly once.
@Suite struct MessageHandlerTests {
    /// Records what a handler is called with, and on which thread.
    final class RecordingHandler: MessageHandler, @unchecked Sendable {
        struct Record {
            var messages: [(typeID: UInt16, payload: [UInt8])] = []
            var threadNames: Set<String> = []
            var ends: [(any Error)?] = []
        }

        let record = Lock(Record())

        func receive(typeID: UInt16, payload: UnsafeRawBufferPointer) {
            let name = Self.currentThreadName()
            record.withLock {
                $0.messages.append((typeID, Array(payload)))
                $0.threadNames.insert(name)
            }
        }

        func subscriptionEnded(error: (any Error)?) {
            record.withLock { $0.ends.append(error) }
        }

        var messages: [(typeID: UInt16, payload: [UInt8])] { record.withLock { $0.messages } }
        var ends: [(any Error)?] { record.withLock { $0.ends } }

        /// Waits until `count` messages arrived.
        func waitForMessages(_ count: Int) async throws {
            try await waitUntil("\(count) messages at the handler", detail: "\(self.messages.count)") {
                self.messages.count >= count
            }
        }

        /// Waits until the subscription ended.
        func waitForEnd() async throws {
            try await waitUntil("the handler's subscription to end") { !self.ends.isEmpty }
        }

        /// The calling thread's name, from `/proc/thread-self/comm`.
        private static func currentThreadName() -> String {
            let fd = open("/proc/thread-self/comm", O_RDONLY)
            guard fd >= 0 else { return "?" }
            defer { close(fd) }
            var name = [UInt8](repeating: 0, count: 32)
            let count = read(fd, &name, name.count)
            return String(decoding: name.prefix(max(0, count)).filter { $0 != 10 }, as: UTF8.self)
        }
    }

    @Test func aHandlerReceivesEveryMessageOfItsTypesInOrderOnTheClientsThread() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let subscriber = try await connectClient(addresses[0], name: "handled")
            let handler = RecordingHandler()
            try await subscriber.subscribe([TestTypes.small, TestTypes.bench], handler: handler)
            // A stream of one of the types on the same client gets its messages too.
            let stream = try await subscriber.subscribe([TestTypes.small])
            let publisher = try await connectClient(addresses[0], name: "publisher")
            let count = 200
            for index in 0..<count {
                let typeID = index % 3 == 0 ? TestTypes.bench : TestTypes.small
                try await publisher.publish(typeID: typeID, payload: sequencePayload(index) + [UInt8(index % 256)])
            }
            try await publisher.publish(typeID: TestTypes.large, payload: [1, 2, 3])
            try await publisher.flush()

            try await handler.waitForMessages(count)
            let messages = handler.messages
            #expect(messages.map { sequenceNumber($0.payload) } == Array(0..<count), "every message once, in order")
            #expect(
                messages.allSatisfy { $0.typeID == (sequenceNumber($0.payload) % 3 == 0 ? TestTypes.bench : TestTypes.small) })
            #expect(messages.allSatisfy { $0.payload.count == 9 && Int($0.payload[8]) == sequenceNumber($0.payload) % 256 })
            #expect(handler.record.withLock { $0.threadNames } == ["mycelium-client"], "called on the client's thread only")
            let streamed = try await within(10, "the stream's messages") {
                try await stream.collect((0..<count).filter { $0 % 3 != 0 }.count)
            }
            #expect(streamed.map { sequenceNumber($0.payload) } == (0..<count).filter { $0 % 3 != 0 })
            #expect(handler.ends.isEmpty, "not ended while subscribed")
            try await publisher.close()
            try await subscriber.close()
        }
    }

    @Test func aFrameLargerThanTheReceiveBufferReachesTheHandlerWhole() async throws {
        try await withBroker(.forTests()) { _, addresses in
            var options = MyceliumClient.Options.forTests
            options.bufferSize = 8 << 10
            let subscriber = try await connectClient(addresses[0], name: "handled", options: options)
            let handler = RecordingHandler()
            try await subscriber.subscribe([TestTypes.large], handler: handler)
            let publisher = try await connectClient(addresses[0], name: "publisher")
            let large = (0..<(100 << 10)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            try await publisher.publish(typeID: TestTypes.large, payload: large)
            try await publisher.publish(typeID: TestTypes.large, payload: [42])
            try await publisher.flush()

            try await handler.waitForMessages(2)
            #expect(handler.messages.map(\.payload) == [large, [42]])
            try await publisher.close()
            try await subscriber.close()
            #expect(subscriber.pool.stats().inUse == 0, "the large frame's buffer went back")
        }
    }

    @Test func unsubscribingEndsTheHandlerOnceAndStopsItsMessages() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let subscriber = try await connectClient(addresses[0], name: "handled")
            let handler = RecordingHandler()
            try await subscriber.subscribe([TestTypes.small], handler: handler)
            // Frames reach this stream after the handler would have had them: in order.
            let stream = try await subscriber.subscribe([TestTypes.small])
            let publisher = try await connectClient(addresses[0], name: "publisher")
            try await publisher.publish(typeID: TestTypes.small, payload: sequencePayload(0))
            try await publisher.flush()
            try await handler.waitForMessages(1)

            try await subscriber.unsubscribe(handler: handler)
            #expect(handler.ends.count == 1 && handler.ends[0] == nil, "ended once, without an error")
            for index in 1...3 { try await publisher.publish(typeID: TestTypes.small, payload: sequencePayload(index)) }
            try await publisher.flush()
            let streamed = try await within(10, "the stream's messages") { try await stream.collect(4) }
            #expect(streamed.map { sequenceNumber($0.payload) } == [0, 1, 2, 3])
            #expect(handler.messages.count == 1, "nothing after the unsubscribe")

            // A handler that is not subscribed: nothing happens.
            try await subscriber.unsubscribe(handler: RecordingHandler())
            try await subscriber.unsubscribe(handler: handler)
            try await publisher.close()
            try await subscriber.close()
            #expect(handler.ends.count == 1, "ended once, also after a second unsubscribe and the close")
        }
    }

    @Test func theSameHandlerTwiceIsRefusedAndItsSubscriptionStays() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let subscriber = try await connectClient(addresses[0], name: "handled")
            let handler = RecordingHandler()
            try await subscriber.subscribe([TestTypes.small], handler: handler)
            let error = await clientError { try await subscriber.subscribe([TestTypes.bench], handler: handler) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.description.contains("this handler is subscribed on this client already") == true)
            #expect(handler.ends.isEmpty, "the refusal does not end the first subscription")

            let publisher = try await connectClient(addresses[0], name: "publisher")
            try await publisher.publish(typeID: TestTypes.small, payload: sequencePayload(7))
            try await publisher.flush()
            try await handler.waitForMessages(1)
            #expect(handler.messages.map(\.typeID) == [TestTypes.small])
            try await publisher.close()
            try await subscriber.close()
        }
    }

    @Test func aRefusedSubscriptionEndsTheHandlerWithTheBrokersError() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let subscriber = try await connectClient(addresses[0], name: "handled")
            let handler = RecordingHandler()
            let error = await clientError { try await subscriber.subscribe([4242], handler: handler) }
            #expect(error?.brokerError?.code == .unknownTypeID)
            #expect(handler.ends.count == 1)
            #expect((handler.ends.first as? MyceliumClientError)?.brokerError?.code == .unknownTypeID)

            // Refused for its arguments before reaching the client: never ended.
            let empty = RecordingHandler()
            let emptyError = await clientError { try await subscriber.subscribe([], handler: empty) }
            #expect(emptyError?.description.contains("at least one type id") == true)
            let reserved = await clientError { try await subscriber.subscribe([7], handler: empty) }
            #expect(reserved?.description.contains("type id 7 is reserved") == true)
            try await subscriber.close()
            #expect(empty.ends.isEmpty)
        }
    }

    @Test func losingTheConnectionEndsTheHandlerWithTheError() async throws {
        let broker = try Broker(configuration: .forTests())
        let addresses = try broker.start()
        let client = try await connectClient(addresses[0])
        let handler = RecordingHandler()
        try await client.subscribe([TestTypes.small], handler: handler)
        _ = await broker.stop()
        try await handler.waitForEnd()
        let error = handler.ends.first as? MyceliumClientError
        #expect(error?.code == .connectionLost)
        #expect(error?.brokerError?.code == .shuttingDown)
        try await client.close()
        #expect(handler.ends.count == 1, "ended once")
    }

    @Test func closingTheClientEndsTheHandlerWithClosed() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let client = try await connectClient(addresses[0])
            let handler = RecordingHandler()
            try await client.subscribe([TestTypes.small], handler: handler)
            try await client.close()
            #expect(handler.ends.count == 1)
            #expect((handler.ends.first as? MyceliumClientError) == .closed)
            let later = await clientError { try await client.subscribe([TestTypes.small], handler: RecordingHandler()) }
            #expect(later == .closed)
        }
    }
}
