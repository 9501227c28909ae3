import Benchmark
import MyceliumBackends
import MyceliumKit

/// An embedded broker with the bundled contracts, one typed in-process subscriber, and the
/// message value published to it with `publish(_:)`.
final class TypedInProcessPair<Message: MyceliumMessage>: @unchecked Sendable {
    private let pool: String
    private let message: Message
    private var broker: Broker?
    private var values: TypedMessageStream<Message>.Iterator?

    init(pool: String, message: Message) {
        self.pool = pool
        self.message = message
    }

    func start() throws {
        let types = MessageTypeTable(messages: [Message.self])
        let broker = try Broker(configuration: BrokerConfiguration(messageTypes: types, pool: .named(pool, in: .builtIn)))
        _ = try broker.start()
        values = try broker.subscribe(to: Message.self, bufferedMessages: 1024).makeAsyncIterator()
        self.broker = broker
    }

    func stop() async {
        values = nil
        _ = await broker?.stop()
        broker = nil
    }

    /// Publishes `count` (at most 1024) values, then reads them all back.
    func publishAndReceive(_ count: Int) async throws {
        guard let broker else { return }
        for _ in 0..<count { try broker.publish(message) }
        for _ in 0..<count {
            guard let value = try await values?.next() else { throw InProcessPair.EndedEarly() }
            blackHole(value)
        }
    }
}
