import MyceliumBackends
import MyceliumContracts
import MyceliumKit
import MyceliumTestSupport
import Testing

@Suite struct TypedMessagingTests {
    private func broker(_ directory: TemporaryDirectory) throws -> Broker {
        var configuration = BrokerConfiguration(messageTypes: Contracts.messageTypes, pool: .named("system", in: .builtIn))
        configuration.digest = Contracts.digest
        configuration.listeners = [.unix(path: directory.path + "/broker.sock")]
        return try Broker(configuration: configuration)
    }

    /// The first value of `stream` within a minute.
    private func first<Message: MyceliumMessage>(_ stream: TypedMessageStream<Message>) async throws -> Message {
        try await within(60, "the first \(Message.messageName)") {
            var iterator = stream.makeAsyncIterator()
            guard let value = try await iterator.next() else { throw TimedOut("the stream ended") }
            return value
        }
    }

    /// Publishes `value` in-process and over the socket, and receives it both ways typed.
    private func roundTrip<Message: MyceliumMessage & Equatable>(
        _ value: Message, broker: Broker, client: MyceliumClient
    ) async throws {
        let inProcess = try broker.subscribe(to: Message.self)
        let overSocket = try await client.subscribe(to: Message.self)
        try broker.publish(value)
        #expect(try await first(inProcess) == value, "\(Message.messageName) in-process -> in-process")
        #expect(try await first(overSocket) == value, "\(Message.messageName) in-process -> socket")
        try await client.publish(value)
        #expect(try await first(inProcess) == value, "\(Message.messageName) socket -> in-process")
        #expect(try await first(overSocket) == value, "\(Message.messageName) socket -> socket")
        broker.unsubscribe(inProcess.messages)
        try await client.unsubscribe(overSocket.messages)
    }

    @Test func everyBundledTypeRoundTripsThroughABrokerInProcessAndOverASocket() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try broker(directory)
        try broker.start()
        let client = try await MyceliumClient.connect(
            to: .unix(path: directory.path + "/broker.sock"), name: "typed", digest: Contracts.digest, options: .forTests)
        try await roundTrip(BundledSamples.trade, broker: broker, client: client)
        try await roundTrip(BundledSamples.quote, broker: broker, client: client)
        try await roundTrip(BundledSamples.poolStateUpdate, broker: broker, client: client)
        try await roundTrip(BundledSamples.orderBookSnapshot, broker: broker, client: client)
        try await roundTrip(BundledSamples.tradingSignal, broker: broker, client: client)
        try await roundTrip(BundledSamples.riskLimitBreach, broker: broker, client: client)
        try await roundTrip(BundledSamples.playerState, broker: broker, client: client)
        try await roundTrip(BundledSamples.mapChunk, broker: broker, client: client)  // 4 KiB: a buffer of its own
        try await roundTrip(BundledSamples.sensorReading, broker: broker, client: client)
        try await roundTrip(BundledSamples.benchFrame, broker: broker, client: client)
        try await client.close()
        _ = await broker.stop()
    }

    @Test func aRawMessageDecodesAsItsTypeAndRefusesAnother() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try broker(directory)
        let stream = try broker.subscribe([Trade.typeID, Quote.typeID])
        try broker.publish(BundledSamples.trade)
        let outcome = try await within(60, "a Trade") {
            var iterator = stream.makeAsyncIterator()
            guard let message = try await iterator.next() else { throw TimedOut("the stream ended") }
            let trade = try message.decode(as: Trade.self)
            let error = #expect(throws: MessageDecodingError.self) { try message.decode(as: Quote.self) }
            return (trade, error)
        }
        #expect(outcome.0 == BundledSamples.trade)
        #expect(outcome.1 == MessageDecodingError(messageName: "Quote", expectedTypeID: 1102, actualTypeID: 1101))
        #expect(outcome.1?.description == "a frame of type id 1101 is not a Quote (type id 1102); decode it as its own type")
        _ = await broker.stop()
    }

    @Test func aPayloadOfAnotherSizeEndsTheValueWithATypedErrorAndTheStreamGoesOn() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try broker(directory)
        let trades = try broker.subscribe(to: Trade.self)
        try broker.publish(typeID: Trade.typeID, payload: [1, 2, 3])  // under the maximum, so the broker routes it
        try broker.publish(BundledSamples.trade)
        let outcome = try await within(60, "two Trades") {
            var iterator = trades.makeAsyncIterator()
            var error: MessageDecodingError?
            do {
                _ = try await iterator.next()
            } catch let decoding as MessageDecodingError {
                error = decoding
            }
            return (error, try await iterator.next())
        }
        #expect(outcome.0 == MessageDecodingError(messageName: "Trade", expected: Trade.payloadSize, actual: 3))
        #expect(outcome.1 == BundledSamples.trade)
        _ = await broker.stop()
    }

    @Test func typedPublishIsCheckedLikeRawPublish() async throws {
        var configuration = BrokerConfiguration(
            messageTypes: try MessageTypeTable([.init(id: Trade.typeID, name: "Trade", maxPayload: 8)]),
            pool: .named("system", in: .builtIn))
        configuration.listeners = []
        let broker = try Broker(configuration: configuration)
        let tooLarge = #expect(throws: BrokerError.self) { try broker.publish(BundledSamples.trade) }
        #expect(tooLarge?.code == .payloadTooLarge && tooLarge?.typeIDs == [Trade.typeID])
        #expect(tooLarge?.description.contains("a \(Trade.payloadSize)-byte payload") == true)
        let unknown = #expect(throws: BrokerError.self) { try broker.publish(BundledSamples.quote) }
        #expect(unknown?.code == .unknownTypeID && unknown?.typeIDs == [Quote.typeID])
        let notRouted = #expect(throws: BrokerError.self) { try broker.subscribe(to: Quote.self) }
        #expect(notRouted?.code == .unknownTypeID && notRouted?.typeIDs == [Quote.typeID])
        _ = await broker.stop()
    }
}
