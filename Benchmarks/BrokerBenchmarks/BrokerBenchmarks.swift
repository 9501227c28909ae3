import Benchmark
import BenchmarkSupport
import MyceliumBackends
import MyceliumContracts
import MyceliumKit

/// In-process publish → subscribe through an embedded broker with no listeners: time and
/// heap allocations per message. A sample publishes 1000 messages and reads them back from
/// one subscriber's stream, which holds up to 1024.
///
/// - `InProcess.publish64.<pool>`: 64 bytes with `publish(typeID:payload:)` (one copy into a
///   pooled buffer each), for each pooled backend.
/// - `InProcess.Trade.raw` / `.typed` (arena pool): the bundled `Trade` (29 bytes), as the
///   same raw publish and raw `Message`s, and as `publish(_:)` of a `Trade` value read back
///   as `Trade` values from `subscribe(to:)`.
/// - `Client.Trade.raw` / `.typed`: a client publishing `Trade`s over a Unix socket to the
///   broker (no subscriber), as encoded bytes and as values; a sample ends with `flush()`.
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
    let raw = InProcessPair(pool: "arena", typeID: Trade.typeID, payloadSize: Trade.payloadSize)
    Benchmark(
        "InProcess.Trade.raw",
        closure: { benchmark in try await raw.publishAndReceive(benchmark.scaledIterations.count) },
        setup: { try raw.start() },
        teardown: { await raw.stop() }
    )
    let typed = TypedInProcessPair(pool: "arena", message: BundledTrade.sample)
    Benchmark(
        "InProcess.Trade.typed",
        closure: { benchmark in try await typed.publishAndReceive(benchmark.scaledIterations.count) },
        setup: { try typed.start() },
        teardown: { await typed.stop() }
    )
    for isTyped in [false, true] {
        let publisher = SocketPublisher(typed: isTyped)
        Benchmark(
            "Client.Trade.\(isTyped ? "typed" : "raw")",
            closure: { benchmark in try await publisher.publish(benchmark.scaledIterations.count) },
            setup: { try await publisher.start() },
            teardown: { await publisher.stop() }
        )
    }
}

/// An embedded broker, one in-process subscriber, and the payload published to it.
final class InProcessPair: @unchecked Sendable {
    private let pool: String
    private let typeID: UInt16
    private let payload: [UInt8]
    private var broker: Broker?
    private var messages: MessageStream.Iterator?

    init(pool: String, typeID: UInt16 = 1001, payloadSize: Int = 64) {
        self.pool = pool
        self.typeID = typeID
        payload = [UInt8](repeating: 0x6D, count: payloadSize)
    }

    func start() throws {
        let types = try MessageTypeTable([.init(id: typeID, name: "Tick", maxPayload: payload.count)])
        let broker = try Broker(configuration: BrokerConfiguration(messageTypes: types, pool: .named(pool, in: .builtIn)))
        _ = try broker.start()
        messages = try broker.subscribe([typeID], bufferedMessages: 1024).makeAsyncIterator()
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
        for _ in 0..<count { try broker.publish(typeID: typeID, payload: payload) }
        for _ in 0..<count {
            guard let message = try await messages?.next() else { throw EndedEarly() }
            blackHole(message.payload.baseAddress)
        }
    }

    struct EndedEarly: Error {}
}
