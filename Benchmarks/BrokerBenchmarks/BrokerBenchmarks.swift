import Benchmark
import BenchmarkSupport
import MyceliumBackends
import MyceliumKit

/// In-process publish → subscribe through an embedded broker with no listeners, for each
/// pooled backend: time and heap allocations per message. A sample publishes 1000 messages
/// of 64 bytes with `publish(typeID:payload:)` (one copy into a pooled buffer each) and
/// reads them back from one subscriber's stream, which holds up to 1024.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .mycelium
    for pool in ["arena", "lockfree", "mutex"] {
        let pair = InProcessPair(pool: pool)
        Benchmark(
            "InProcess.publish64.\(pool)",
            closure: { benchmark in try await pair.publishAndReceive(benchmark.scaledIterations.count) },
            setup: { try pair.start() },
            teardown: { await pair.stop() }
        )
    }
}

/// An embedded broker, one in-process subscriber, and the payload published to it.
final class InProcessPair: @unchecked Sendable {
    private static let typeID: UInt16 = 1001
    private let pool: String
    private let payload = [UInt8](repeating: 0x6D, count: 64)
    private var broker: Broker?
    private var messages: MessageStream.Iterator?

    init(pool: String) {
        self.pool = pool
    }

    func start() throws {
        let types = try MessageTypeTable([.init(id: Self.typeID, name: "Tick", maxPayload: 64)])
        let broker = try Broker(configuration: BrokerConfiguration(messageTypes: types, pool: .named(pool, in: .builtIn)))
        _ = try broker.start()
        messages = try broker.subscribe([Self.typeID], bufferedMessages: 1024).makeAsyncIterator()
        self.broker = broker
    }

    func stop() async {
        messages = nil
        _ = await broker?.stop()
        broker = nil
    }

    /// Publishes `count` (at most 1024) messages, then reads them all back.
    func publishAndReceive(_ count: Int) async throws {
        guard let broker else { return }
        for _ in 0..<count { try broker.publish(typeID: Self.typeID, payload: payload) }
        for _ in 0..<count {
            guard let message = try await messages?.next() else { throw EndedEarly() }
            blackHole(message.payload.baseAddress)
        }
    }

    struct EndedEarly: Error {}
}
