import Glibc
import MyceliumKit
import MyceliumTestSupport
import Testing

/// Every bad input Architecture.md names, each beside a healthy publisher/subscriber pair that
/// must see all of its messages, and with the pool's `in_use` back at its baseline after.
@Suite struct BrokerErrorTests {
    /// Runs `bad` beside a healthy pair; checks the pair before and after, and that the
    /// buffers the bad connection took are back once it is gone.
    private func besideHealthyPair(
        _ configuration: BrokerConfiguration = .forTests(), _ bad: (Broker, SocketAddress) async throws -> Void
    ) async throws {
        try await withBroker(configuration) { broker, addresses in
            let pair = try await HealthyPair(addresses[0])
            try await pair.exchange()
            let baseline = try await broker.waitForStats { $0.connections == 2 }.pool.inUse
            try await bad(broker, addresses[0])
            try await pair.exchange()
            let after = try await broker.waitForStats { $0.connections == 2 && $0.pool.inUse == baseline }
            #expect(after.pool.inUse == baseline, "pool in_use \(after.pool.inUse), baseline \(baseline)")
        }
    }

    @Test func frameOverTheLimitIsRefusedAndClosed() async throws {
        try await besideHealthyPair { broker, address in
            let client = try await TestClient(address)
            try await client.send(
                FrameHeader(typeID: TestTypes.large, length: 5 << 20).bytes + [UInt8](repeating: 1, count: 1000))
            let message = try await client.expectError(.frameTooLarge)
            #expect(message.contains("length 5242880") && message.contains("limit is 4194304"))
            #expect(try await client.isClosedByPeer())
        }
    }

    @Test func aClientThatSendsBadFramesAndNeverReadsItsErrorsIsDisconnectedAsSlowAndLoggedTenTimes() async throws {
        let recorder = LogRecorder()
        try await besideHealthyPair(.forTests(recordingTo: recorder, maxPending: 64 << 10)) { broker, address in
            let client = try await TestClient(address)
            // 40,000 frames of a type not in the catalog, each answered by an ERROR of about
            // 100 bytes: far more than the socket buffers and the 64 KiB limit hold.
            let unknown = FrameHeader(typeID: 1500, length: 0).bytes
            try await client.send(Array([[UInt8]](repeating: unknown, count: 40_000).joined()))
            let stats = try await broker.waitForStats { $0.slowConsumers == 1 && $0.connections == 2 }
            #expect(stats.slowConsumers == 1)
            let errors = recorder.lines.filter { $0.message == "sending ERROR 2" }
            #expect(errors.count == 10, "\(errors.count) ERRORs logged")
            #expect(recorder.lines.filter { $0.message.hasPrefix("more ERRORs for this connection are not logged") }.count == 1)
            #expect(recorder.lines.contains { $0.message == "disconnecting a slow consumer" })
        }
    }

    @Test func controlFrameOverFourKiBIsRefusedAndClosed() async throws {
        try await besideHealthyPair { _, address in
            let client = try await TestClient(address)
            try await client.send(FrameHeader(typeID: 2, length: 5000).bytes)
            #expect(try await client.expectError(.frameTooLarge).contains("4096 bytes for control frames"))
            #expect(try await client.isClosedByPeer())
        }
    }

    @Test func frameAboveTheContractMaximumIsSkipped() async throws {
        try await besideHealthyPair { _, address in
            let subscriber = try await TestClient(address)
            try await subscriber.subscribe([TestTypes.small])
            let client = try await TestClient(address)
            try await client.send(typeID: TestTypes.small, payload: [UInt8](repeating: 9, count: 100))
            #expect(
                try await client.expectError(.aboveContractMaximum).contains(
                    "length 100, above the type's contract maximum of 64"))
            try await client.send(typeID: TestTypes.small, payload: [1, 2])
            #expect(try await subscriber.readFrame().payload == [1, 2], "the connection stays up; the long frame was skipped")
        }
    }

    @Test(arguments: [UInt16(4242), 0, 500])
    func unknownTypeIDIsSkipped(typeID: UInt16) async throws {
        try await besideHealthyPair { _, address in
            let client = try await TestClient(address)
            try await client.subscribe([TestTypes.small])
            try await client.send(typeID: typeID, payload: [UInt8](repeating: 3, count: 300))
            #expect(try await client.expectError(.unknownTypeID).contains("type \(typeID), which is not in the broker's catalog"))
            try await client.send(typeID: TestTypes.small, payload: [5])
            #expect(try await client.readFrame().payload == [5])
        }
    }

    @Test func subscribeToAnUnknownIDIsNotApplied() async throws {
        try await besideHealthyPair { _, address in
            let client = try await TestClient(address)
            try await client.send(.subscribe([TestTypes.small, 4242]))
            #expect(try await client.expectError(.unknownTypeID).contains("SUBSCRIBE naming type id 4242"))
            try await client.send(.subscribe([7]))
            #expect(try await client.expectError(.unknownTypeID).contains("ids below 1000 are reserved"))
            let publisher = try await TestClient(address)
            try await publisher.send(typeID: TestTypes.small, payload: [1])
            try await publisher.sync()
            #expect(try await client.sync().isEmpty, "nothing of the refused SUBSCRIBE was applied")
        }
    }

    @Test func malformedAndMisplacedControlFramesGetError4() async throws {
        try await besideHealthyPair { _, address in
            let client = try await TestClient(address)
            try await client.send(typeID: 2, payload: [1, 2, 3])
            #expect(try await client.expectError(.malformedControlFrame).contains("SUBSCRIBE payload has 3 bytes"))
            try await client.send(.hello(Hello(peerName: "late")))
            #expect(try await client.expectError(.malformedControlFrame).contains("HELLO after other frames"))
            try await client.send(.pong([1]))
            #expect(try await client.expectError(.malformedControlFrame).contains("only the broker sends"))
            try await client.send(typeID: 7, payload: [0])
            #expect(try await client.expectError(.malformedControlFrame).contains("STATS_REQUEST payload has 1 bytes"))
            let wrongVersion = try await TestClient(address)
            try await wrongVersion.send(.hello(Hello(version: 2, peerName: "v2")))
            #expect(try await wrongVersion.expectError(.malformedControlFrame).contains("protocol version 2"))
            #expect(try await client.sync().isEmpty, "the connection stays up")
        }
    }

    @Test func helloWithAWrongDigestIsRefusedAndClosed() async throws {
        var configuration = BrokerConfiguration.forTests()
        let digest = [UInt8](repeating: 0xAB, count: 32)
        configuration.digest = digest
        try await besideHealthyPair(configuration) { _, address in
            let matching = try await TestClient(address)
            try await matching.send(.hello(Hello(digest: digest, peerName: "good")))
            let reply = try await matching.readFrame()
            #expect(reply.typeID == 1 && Array(reply.payload[2..<34]) == digest)
            #expect(String(decoding: reply.payload[34...], as: UTF8.self) == "mycelium \(MyceliumVersion.current)")
            let unchecked = try await TestClient(address)
            try await unchecked.send(.hello(Hello(peerName: "zero digest")))
            #expect(try await unchecked.readFrame().typeID == 1)
            let wrong = try await TestClient(address)
            try await wrong.send(.hello(Hello(digest: [UInt8](repeating: 1, count: 32), peerName: "old")))
            #expect(try await wrong.expectError(.digestMismatch).contains("(old) has contract digest 0x0101"))
            #expect(try await wrong.isClosedByPeer())
        }
    }

    @Test func tooManySubscriptionsGetError7() async throws {
        var configuration = BrokerConfiguration.forTests()
        configuration.maxSubscriptions = 2
        try await besideHealthyPair(configuration) { _, address in
            let client = try await TestClient(address)
            try await client.subscribe([TestTypes.small])
            try await client.send(.subscribe([TestTypes.bench, TestTypes.large]))
            #expect(try await client.expectError(.tooManySubscriptions).contains("would hold 3 subscriptions; the limit is 2"))
            try await client.subscribe([TestTypes.bench])
        }
    }

    @Test func tooManyConnectionsGetError8() async throws {
        var configuration = BrokerConfiguration.forTests()
        configuration.maxConnections = 3
        try await besideHealthyPair(configuration) { broker, address in
            let third = try await TestClient(address)
            try await third.sync()
            let fourth = try await TestClient(address)
            #expect(try await fourth.expectError(.shuttingDown).contains("serves 3 connections already"))
            #expect(try await fourth.isClosedByPeer())
            #expect(broker.stats().connections == 3)
        }
    }

    @Test func truncatedFramesThenDisconnectReturnEveryBuffer() async throws {
        try await besideHealthyPair { broker, address in
            let subscriber = try await TestClient(address)
            try await subscriber.subscribe([TestTypes.large])
            let before = broker.stats().pool.inUse
            for partial in [
                FrameHeader(typeID: TestTypes.large, length: 1 << 20).bytes + [UInt8](repeating: 1, count: 70_000),
                FrameHeader(typeID: TestTypes.small, length: 60).bytes + [1, 2, 3],
                [0xE9],
            ] {
                let client = try await TestClient(address)
                try await client.send(partial)
                try await broker.waitForStats { $0.pool.inUse > before }
            }
        }
    }

    @Test func connectionResetMidFrameReturnsEveryBuffer() async throws {
        try await besideHealthyPair { broker, address in
            let subscriber = try await TestClient(address)
            try await subscriber.subscribe([TestTypes.large])
            let before = broker.stats().pool.inUse
            let client = try await TestClient(address)
            try await client.send(
                FrameHeader(typeID: TestTypes.large, length: 1 << 20).bytes + [UInt8](repeating: 1, count: 10_000))
            // The partial frame's own buffer (whole frames are read into the loop's buffer).
            #expect(try await broker.waitForStats { $0.pool.inUse >= before + 1 }.pool.inUse >= before + 1)
            var linger = linger(l_onoff: 1, l_linger: 0)
            setsockopt(client.fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        }
    }

    @Test func randomGarbageNeverDisturbsOthers() async throws {
        try await besideHealthyPair { _, address in
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<20 {
                // The broker may close the connection before it took every byte; the client
                // closes it after. The pair's checks then wait for every buffer to come back.
                let client = try await TestClient(address)
                try? await client.send((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
            }
        }
    }

    @Test func thousandConnectionsOpenedAndClosed() async throws {
        try await besideHealthyPair { broker, address in
            for round in 0..<10 {
                let clients = try await TestClient.connect(100, to: address)
                try await clients[round].subscribe([TestTypes.small])
                #expect(try await broker.waitForStats { $0.connections == 102 }.connections == 102)
            }
        }
    }
}
