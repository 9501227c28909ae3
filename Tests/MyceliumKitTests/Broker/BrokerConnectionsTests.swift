import MyceliumKit
import MyceliumTestSupport
import Testing

/// CONNECTIONS (types 9 and 10): every loop lists its own connections, the asking loop
/// answers with all of them.
@Suite struct BrokerConnectionsTests {
    /// A raw client that said HELLO with `name` and read the broker's HELLO.
    private func named(_ name: String, _ address: SocketAddress) async throws -> TestClient {
        let client = try await TestClient(address)
        try await client.send(.hello(Hello(peerName: name)))
        #expect(try await client.readFrame().typeID == ControlFrameType.hello.rawValue)
        return client
    }

    /// Asks until `condition` holds for the listing (at most 20 s), then returns it.
    private func listing(
        _ client: MyceliumClient, until condition: (BrokerConnections) -> Bool
    ) async throws -> BrokerConnections {
        try await eventually("listing as expected", { try await client.connections() }, until: condition)
    }

    @Test func listsNamedClientsOnEveryLoopWithTheirSubscriptionsAndCounts() async throws {
        var configuration = BrokerConfiguration.forTests()
        configuration.loops = 2
        let started = ContinuousClock.now
        try await withBroker(configuration) { _, addresses in
            let alpha = try await named("alpha", addresses[0])
            try await alpha.subscribe([TestTypes.small, TestTypes.bench])
            let beta = try await named("beta", addresses[0])
            try await beta.subscribe([TestTypes.bench])
            let anonymous = try await TestClient(addresses[0])
            let payload = [UInt8](repeating: 1, count: 40)
            for _ in 0..<3 { try await anonymous.send(typeID: TestTypes.small, payload: payload) }
            for _ in 0..<3 { #expect(try await alpha.readFrame().payload == payload) }

            let client = try await MyceliumClient.connect(to: addresses[0], name: "asker", options: .forTests)
            let result = try await listing(client) { $0.connections.count == 4 }
            #expect(result.connections.map(\.id) == result.connections.map(\.id).sorted(), "ordered by id")
            let byName = Dictionary(result.connections.map { ($0.name ?? "-", $0) }) { first, _ in first }
            #expect(byName["alpha"]?.subscriptions == [TestTypes.small, TestTypes.bench])
            #expect(byName["beta"]?.subscriptions == [TestTypes.bench])
            #expect(byName["asker"]?.subscriptions == [])
            #expect(byName["alpha"]?.messagesOut == 3 && byName["alpha"]?.bytesOut ?? 0 >= 3 * 46)
            #expect(byName["-"]?.messagesIn == 3 && byName["-"]?.bytesIn == 3 * 46)
            #expect(byName["-"]?.name == nil, "no HELLO, no name")
            // No connection is older than the test (which the thread sanitizer, with every
            // suite running at once on two cores, was seen to stretch past a minute).
            let (seconds, attoseconds) = (ContinuousClock.now - started).components
            let testSeconds = Double(seconds) + Double(attoseconds) / 1e18
            for entry in result.connections {
                #expect(entry.transport == "tcp" && entry.peer.hasPrefix("127.0.0.1:"))
                #expect(entry.ageSeconds >= 0 && entry.ageSeconds <= testSeconds + 0.1, "the test ran \(testSeconds) s")
                #expect(entry.idleSeconds <= entry.ageSeconds + 0.01)
                #expect(entry.pendingBytes == 0 && entry.dropped == 0)
            }
            try await client.close()
        }
    }

    @Test func aStalledSubscriberShowsGrowingPendingBytes() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = BrokerConfiguration.forTests(listeners: [.unix(path: directory.path + "/bus.sock")])
        configuration.maxPending = 64 << 20
        try await withBroker(configuration) { _, addresses in
            let stalled = try await named("stalled", addresses[0])
            try await stalled.subscribe([TestTypes.bench])
            let publisher = try await TestClient(addresses[0])
            let frame = FrameHeader(typeID: TestTypes.bench, length: 1024).bytes + [UInt8](repeating: 2, count: 1024)
            let client = try await MyceliumClient.connect(to: addresses[0], name: "asker", options: .forTests)
            let stalledEntry = { (listing: BrokerConnections) in listing.connections.first { $0.name == "stalled" } }

            try await publisher.send(Array([[UInt8]](repeating: frame, count: 2000).joined()))
            let first = try await listing(client) { stalledEntry($0)?.messagesOut == 2000 }
            let pendingBefore = try #require(stalledEntry(first)).pendingBytes
            #expect(pendingBefore > 0, "a subscriber that never reads has bytes waiting")

            try await publisher.send(Array([[UInt8]](repeating: frame, count: 2000).joined()))
            let second = try await listing(client) { stalledEntry($0)?.messagesOut == 4000 }
            let entry = try #require(stalledEntry(second))
            #expect(entry.pendingBytes >= pendingBefore + 1000 * 1030, "pending grew: \(pendingBefore) -> \(entry.pendingBytes)")
            #expect(entry.transport == "unix" && entry.peer == "unix")
            #expect(entry.bytesOut + entry.pendingBytes >= 4000 * 1030, "written and waiting add up to what was queued")
            try await client.close()
        }
    }

    @Test func aConnectionsRequestWithAPayloadOrAConnectionsFrameFromAClientIsRefused() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let client = try await TestClient(addresses[0])
            try await client.send(FrameHeader(typeID: ControlFrameType.connectionsRequest.rawValue, length: 1).bytes + [0])
            #expect(
                try await client.expectError(.malformedControlFrame)
                    == "connection #1: CONNECTIONS_REQUEST payload has 1 bytes; it must be empty")
            try await client.send(.connections("{\"connections\":[]}"))
            #expect(
                try await client.expectError(.malformedControlFrame)
                    == "connection #1 sent a frame of type 10 (connections), which only the broker sends")
        }
    }

    @Test func anUnassignedControlTypeStillGetsError2() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let client = try await TestClient(addresses[0])
            try await client.send(FrameHeader(typeID: 11, length: 2).bytes + [7, 7])
            #expect(
                try await client.expectError(.unknownTypeID)
                    == "connection #1 sent a frame of type 11, which is not in the broker's catalog; 2 bytes skipped")
            try await client.send(.ping([1]))
            #expect(try await client.readFrame().typeID == ControlFrameType.pong.rawValue, "the connection stays up")
        }
    }
}
