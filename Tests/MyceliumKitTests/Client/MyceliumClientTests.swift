import Glibc
import MyceliumBackends
import MyceliumKit
import MyceliumTestSupport
import Testing

@Suite struct MyceliumClientTests {
    private static let digest = [UInt8](repeating: 0xAB, count: 32)

    @Test func connectsWithTheBrokersDigestAndPings() async throws {
        var configuration = BrokerConfiguration.forTests()
        configuration.digest = Self.digest
        try await withBroker(configuration) { broker, addresses in
            let client = try await connectClient(addresses[0], digest: Self.digest)
            let rtt = try await client.ping()
            #expect(rtt > .zero && rtt < .seconds(5))
            #expect(broker.stats().connections == 1)
            try await client.close()
        }
    }

    @Test func aWrongDigestIsErrorFive() async throws {
        var configuration = BrokerConfiguration.forTests()
        configuration.digest = Self.digest
        try await withBroker(configuration) { _, addresses in
            let error = await clientError {
                _ = try await connectClient(addresses[0], digest: [UInt8](repeating: 0x01, count: 32))
            }
            #expect(error?.brokerError?.code == .digestMismatch)
            #expect(error?.description.contains("digest") == true)
            let unchecked = try await connectClient(addresses[0])
            _ = try await unchecked.ping()
            try await unchecked.close()
        }
    }

    @Test func rejectsADigestThatIsNot32Bytes() async throws {
        let error = await clientError {
            _ = try await MyceliumClient.connect(to: .tcp(host: "127.0.0.1", port: 1), name: "x", digest: [1, 2, 3])
        }
        #expect(error?.description.contains("32 bytes") == true)
    }

    @Test func nothingListeningIsAConnectError() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let error = await clientError {
            _ = try await connectClient(.unix(path: directory.path + "/absent.sock"))
        }
        guard let error, error.code == .connectFailed, let address = error.address else {
            Issue.record("expected connectFailed, got \(String(describing: error))")
            return
        }
        #expect(address.hasSuffix("absent.sock"))
        #expect((error.underlying as? EngineError)?.code == ENOENT)
        #expect(error.description.contains("is the broker running there?"))
    }

    @Test func connectingToAPeerThatNeverAnswersCanBeCancelled() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let peer = try StalledPeer(path: directory.path + "/silent.sock")
        defer { close(peer.listener) }
        let connecting = Task { try await connectClient(.unix(path: peer.path)) }
        let connection: Int32
        do {
            connection = try await onThread { try peer.acceptHello() }
        } catch {
            connecting.cancel()
            Issue.record("\(error); the connecting task ended with \(await connecting.result)")
            return
        }
        defer { close(connection) }
        connecting.cancel()
        let result = try await within(60, "a cancelled connect") { await connecting.result }
        guard case .failure(let error as MyceliumClientError) = result, error.code == .connectionLost,
            let reason = error.reason
        else {
            Issue.record("expected connectionLost, got \(result)")
            return
        }
        #expect(reason.contains("cancelled"))
    }

    @Test func statsReadsTheBrokersDocument() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let client = try await connectClient(addresses[0])
            let stream = try await client.subscribe([TestTypes.small])
            for sequence in 1...5 { try await client.publish(typeID: TestTypes.small, payload: sequencePayload(sequence)) }
            _ = try await stream.collect(5)
            let stats = try await within(60, "stats") { try await client.stats() }
            #expect(stats.connections == 1)
            #expect(stats.messagesIn == 5)
            #expect(stats.messagesOut == 5)
            #expect(stats.pool.name == "system")
            #expect(stats.pool.acquires == stats.pool.hits + stats.pool.allocations + stats.pool.misses)
            #expect(stats.pool.classes.map(\.size).contains(64 << 10))
            try await client.close()
        }
    }

    @Test func withoutAPoolTheClientUsesTheSystemPool() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let client = try await MyceliumClient.connect(to: addresses[0], name: "default-pool", options: .forTests)
            let stream = try await client.subscribe([TestTypes.small])
            try await client.publish(typeID: TestTypes.small, payload: [7])
            #expect(try await stream.collect(1).map(\.payload) == [[7]])
            #expect(client.pool is SystemPool)
            let stats = client.pool.stats()
            #expect(stats.name == SystemPool.registeredName)
            #expect(stats.acquires >= 2 && stats.misses == stats.acquires, "every buffer came from the heap")
            try await client.close()
        }
    }

    @Test func brokerErrorsSurfaceAsTypedErrors() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let client = try await connectClient(addresses[0])
            let subscribeError = await clientError { _ = try await client.subscribe([4242]) }
            #expect(subscribeError?.brokerError?.code == .unknownTypeID)
            #expect(subscribeError?.brokerError?.message.contains("4242") == true)

            try await client.publish(typeID: 4243, payload: [1, 2, 3])
            let publishError = await clientError { try await client.flush() }
            #expect(publishError?.brokerError?.code == .unknownTypeID)
            #expect(publishError?.brokerError?.message.contains("4243") == true)

            try await client.publish(typeID: TestTypes.small, payload: [UInt8](repeating: 0, count: 65))
            let tooLong = await clientError { try await client.flush() }
            #expect(tooLong?.brokerError?.code == .aboveContractMaximum)

            try await client.flush()
            let stream = try await client.subscribe([TestTypes.small])
            try await client.publish(typeID: TestTypes.small, payload: [9])
            #expect(try await stream.collect(1).map(\.payload) == [[9]], "the connection stays usable")
            try await client.close()
        }
    }

    @Test func rejectsReservedTypeIDsBeforeSending() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let client = try await connectClient(addresses[0])
            let publishError = await clientError { try await client.publish(typeID: 7, payload: []) }
            #expect(publishError?.description.contains("type id 7 is reserved") == true)
            let subscribeError = await clientError { _ = try await client.subscribe([]) }
            #expect(subscribeError?.description.contains("at least one type id") == true)
            try await client.close()
        }
    }

    @Test func stoppingTheBrokerEndsStreamsAndCallsWithAnError() async throws {
        let broker = try Broker(configuration: .forTests())
        let addresses = try broker.start()
        let client = try await connectClient(addresses[0])
        let stream = try await client.subscribe([TestTypes.small])
        let reader = Task {
            try await within(10, "the stream's end") {
                var iterator = stream.makeAsyncIterator()
                while try await iterator.next() != nil {}
            }
        }
        _ = await broker.stop()
        let result = await reader.result
        guard case .failure(let error as MyceliumClientError) = result, error.code == .connectionLost else {
            Issue.record("expected connectionLost, got \(result)")
            return
        }
        #expect(error.brokerError?.code == .shuttingDown)
        let after = await clientError { try await client.publish(typeID: TestTypes.small, payload: [1]) }
        #expect(after == error, "later calls fail with the same error")
        try await client.close()
    }

    @Test func closeEndsStreams() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let client = try await connectClient(addresses[0])
            let stream = try await client.subscribe([TestTypes.small])
            try await client.close()
            let error = await clientError { _ = try await stream.collect(1) }
            #expect(error == .closed)
            let later = await clientError { _ = try await client.ping() }
            #expect(later == .closed)
        }
    }
}
