import Glibc
import MyceliumBackends
import MyceliumKit
import MyceliumTestKit
import StackPool

/// Registers `StackPool` beside the built-in backends, checks it with `MyceliumTestKit`,
/// runs an embedded broker on it, and moves messages between a socket client and an
/// in-process subscriber in both directions. Prints a short report and exits 0; on any
/// failure, says what failed on stderr and exits 1.
@main
struct CustomBackendExample {
    static let messagesPerDirection = 200
    /// Messages published before the receiver reads them.
    static let batchSize = 20
    /// The whole run normally takes well under a second; a watchdog ends it past this.
    static let timeLimit = Duration.seconds(60)

    static func main() async {
        Task.detached {
            try await Task.sleep(for: timeLimit)
            printError("custom-backend: no result after \(timeLimit); something hangs")
            exit(1)
        }
        do {
            try await run()
        } catch {
            printError("custom-backend: \(error)")
            exit(1)
        }
    }

    static func run() async throws {
        var registry = PoolRegistry.builtIn
        try registry.register(StackPool.registeredName, description: "a free-buffer stack per size class, one mutex") {
            StackPool(configuration: $0)
        }

        let claims = PoolConformance.Claims(pools: true, zeroes: true)
        let failures = PoolConformance(claims: claims).check { configuration in
            try registry.make(StackPool.registeredName, configuration: configuration)
        }
        guard failures.isEmpty else {
            throw ExampleError(
                "pool '\(StackPool.registeredName)' fails PoolConformance:\n"
                    + failures.map { "  \($0)" }.joined(separator: "\n"))
        }
        print("conformance: pool '\(StackPool.registeredName)' keeps every PoolConformance promise (pools, zeroes)")

        var configuration = BrokerConfiguration(
            messageTypes: ExampleContracts.messageTypes, pool: .named(StackPool.registeredName, in: registry))
        configuration.listeners = [.tcp(host: "127.0.0.1", port: 0)]
        let broker = try Broker(configuration: configuration)
        // Subscribed before start(), so it misses nothing.
        let readings = try broker.subscribe(to: Reading.self)
        let address = try broker.start()[0]
        print("broker: pool \(broker.pool.name), listening on tcp \(address)")
        do {
            try await exchange(through: broker, at: address, readings: readings)
        } catch {
            _ = await broker.stop()
            throw error
        }

        let summary = await broker.stop()
        let pool = summary.stats.pool
        guard pool.inUse == 0 else {
            throw ExampleError("\(pool.inUse) buffers of pool \(pool.name) are still out after the broker stopped")
        }
        let rate = (pool.hitRate * 1000).rounded() / 10
        print(
            "pool \(pool.name): \(pool.acquires) acquires, \(pool.hits) hits, \(pool.allocations) allocations, \(pool.misses) misses (hit rate \(rate)%), \(pool.inUse) in use after stop"
        )
        print(summary)
    }

    /// Socket client to in-process subscriber, then in-process publisher to socket client.
    static func exchange(
        through broker: Broker, at address: SocketAddress, readings: TypedMessageStream<Reading>
    ) async throws {
        let count = messagesPerDirection
        let client = try await MyceliumClient.connect(to: address, name: "custom-backend-example")

        // In batches, so that buffers go back to the pool and are reused as a service would
        // see them (all at once, every buffer would be in flight together).
        var readingsIterator = readings.makeAsyncIterator()
        for batch in stride(from: 0, to: count, by: batchSize) {
            let numbers = batch..<min(batch + batchSize, count)
            for sequence in numbers { try await client.publish(ExampleMessages.reading(sequence)) }
            try await receive(numbers, from: &readingsIterator, expecting: ExampleMessages.reading)
        }
        print("socket -> in-process: \(count) of \(count) Reading messages, in order, intact")

        let setpoints = try await client.subscribe(to: Setpoint.self)
        var setpointsIterator = setpoints.makeAsyncIterator()
        for batch in stride(from: 0, to: count, by: batchSize) {
            let numbers = batch..<min(batch + batchSize, count)
            for sequence in numbers { try broker.publish(ExampleMessages.setpoint(sequence)) }
            try await receive(numbers, from: &setpointsIterator, expecting: ExampleMessages.setpoint)
        }
        print("in-process -> socket: \(count) of \(count) Setpoint messages, in order, intact")

        let roundTrip = try await client.ping()
        let stats = try await client.stats()
        let microseconds = roundTrip.components.seconds * 1_000_000 + roundTrip.components.attoseconds / 1_000_000_000_000
        print("client: ping \(microseconds) µs; the broker counts \(stats.messagesIn) messages in, \(stats.messagesOut) out")

        try await client.close()
        // The stream ends after what it holds; reading to its end returns the last
        // message's buffer to the pool.
        broker.unsubscribe(readings.messages)
        while try await readingsIterator.next() != nil {
            throw ExampleError("a Reading arrived after the \(count) published")
        }
    }

    /// Reads the messages numbered `expected`, checking their order and their content
    /// against what `make` gives for each number.
    static func receive<Message: Sequenced>(
        _ expected: Range<Int>, from iterator: inout TypedMessageStream<Message>.Iterator, expecting make: (Int) -> Message
    ) async throws {
        for number in expected {
            guard let message = try await iterator.next() else {
                throw ExampleError("the \(Message.messageName) stream ended before message \(number)")
            }
            guard message == make(number) else {
                throw ExampleError(
                    "\(Message.messageName) message \(number) arrived as number \(message.sequence)"
                        + (message.sequence == UInt64(number) ? " with damaged bytes" : ""))
            }
        }
    }
}
