import Glibc
import Logging
import MyceliumKit
import MyceliumTestSupport
import Testing

/// Access control: who may connect (ERROR 9, close) and what they may publish and subscribe
/// to (ERROR 10, the connection stays), each rule beside a healthy pair that keeps working.
@Suite struct BrokerAuthorizationTests {
    static let healthyToken = "healthy-token-0123456789"
    static let pricerToken = "pricer-token-0123456789"
    static let readerToken = "reader-token-0123456789"

    /// `healthy` may do everything; `pricer` publishes Small and Large only and subscribes to
    /// everything; `reader` publishes nothing and subscribes to Small only.
    static let authorization = Authorization(users: [
        .init(name: "healthy", tokenSHA256: Authorization.tokenSHA256(healthyToken), publish: .all, subscribe: .all),
        .init(
            name: "pricer", tokenSHA256: Authorization.tokenSHA256(pricerToken),
            publish: .only([TestTypes.small, TestTypes.large]), subscribe: .all),
        .init(
            name: "reader", tokenSHA256: Authorization.tokenSHA256(readerToken), publish: .only([]),
            subscribe: .only([TestTypes.small])),
    ])

    private static func configuration(logger: Logger? = nil) -> BrokerConfiguration {
        var configuration = BrokerConfiguration.forTests()
        configuration.authorization = authorization
        if let logger { configuration.logger = logger }
        return configuration
    }

    /// Runs `bad` beside a healthy pair (both with a token); checks the pair before and after
    /// and that `bad` caused `refusals` refusals.
    private func besideHealthyPair(
        refusals: Int, logger: Logger? = nil, _ bad: (SocketAddress) async throws -> Void
    ) async throws {
        try await withBroker(Self.configuration(logger: logger)) { broker, addresses in
            let pair = try await HealthyPair(addresses[0], token: Self.healthyToken)
            try await pair.exchange()
            try await bad(addresses[0])
            try await pair.exchange()
            let stats = try await broker.waitForStats { $0.authRefusals == refusals }
            #expect(stats.authRefusals == refusals)
        }
    }

    @Test func aValidTokenMayPublishAndSubscribeWhatItsUserMay() async throws {
        try await besideHealthyPair(refusals: 0) { address in
            let reader = try await TestClient(address)
            try await reader.hello(token: Self.readerToken)
            try await reader.subscribe([TestTypes.small])
            let pricer = try await TestClient(address)
            try await pricer.hello(token: Self.pricerToken)
            try await pricer.send(typeID: TestTypes.small, payload: [1, 2, 3])
            #expect(try await reader.readFrame().payload == [1, 2, 3])
            #expect(try await pricer.sync().isEmpty, "no ERROR for a permitted publish")
        }
    }

    @Test func helloWithoutATokenIsNotAuthorized() async throws {
        try await besideHealthyPair(refusals: 1) { address in
            let client = try await TestClient(address)
            try await client.send(.hello(Hello(peerName: "old-client")))
            #expect(try await client.expectError(.notAuthorized).contains("sent HELLO without a token"))
            #expect(try await client.isClosedByPeer())
        }
    }

    @Test func aWrongTokenIsNotAuthorized() async throws {
        try await besideHealthyPair(refusals: 1) { address in
            let client = try await TestClient(address)
            try await client.send(.hello(Hello(peerName: "guesser", token: "wrong-token-0123456789")))
            #expect(try await client.expectError(.notAuthorized).contains("sent a token that matches no user"))
            #expect(try await client.isClosedByPeer())
        }
    }

    @Test(arguments: [5, 2000])
    func aTokenOutOfRangeIsNotAuthorized(length: Int) async throws {
        try await besideHealthyPair(refusals: 1) { address in
            let client = try await TestClient(address)
            try await client.send(.hello(Hello(peerName: "odd", token: String(repeating: "x", count: length))))
            #expect(
                try await client.expectError(.notAuthorized).contains(
                    "sent a token of \(length) bytes; tokens have 16-1024 bytes"))
            #expect(try await client.isClosedByPeer())
        }
    }

    @Test func aHelloAboveTheControlFrameLimitIsTooLarge() async throws {
        try await besideHealthyPair(refusals: 0) { address in
            let client = try await TestClient(address)
            try await client.send(.hello(Hello(peerName: "huge", token: String(repeating: "x", count: 5000))))
            #expect(try await client.expectError(.frameTooLarge).contains("the limit is 4096 bytes for control frames"))
            #expect(try await client.isClosedByPeer())
        }
    }

    @Test(arguments: [
        ControlFrame.subscribe([TestTypes.small]).encoded(), ControlFrame.ping([1]).encoded(),
        ControlFrame.statsRequest.encoded(), FrameHeader(typeID: TestTypes.small, length: 2).bytes + [1, 2],
        FrameHeader(typeID: TestTypes.large, length: 4000).bytes + [UInt8](repeating: 1, count: 4000),
        FrameHeader(typeID: 4242, length: 1).bytes + [1],
    ])
    func anyFrameBeforeHelloIsNotAuthorized(frame: [UInt8]) async throws {
        try await besideHealthyPair(refusals: 1) { address in
            let client = try await TestClient(address)
            try await client.send(frame)
            #expect(try await client.expectError(.notAuthorized).contains("before a HELLO with a valid token"))
            #expect(try await client.isClosedByPeer())
        }
    }

    @Test func aHelloOfAnotherVersionLeavesTheConnectionUnauthorized() async throws {
        try await besideHealthyPair(refusals: 1) { address in
            let client = try await TestClient(address)
            try await client.send(.hello(Hello(version: 2, peerName: "future", token: Self.pricerToken)))
            #expect(try await client.expectError(.malformedControlFrame).contains("protocol version 2"))
            try await client.send(.hello(Hello(peerName: "again", token: Self.pricerToken)))
            #expect(try await client.expectError(.notAuthorized).contains("before a HELLO with a valid token"))
            #expect(try await client.isClosedByPeer())
        }
    }

    @Test func publishingOutsideThePermissionsIsDeniedFrameByFrame() async throws {
        try await besideHealthyPair(refusals: 3) { address in
            let subscriber = try await TestClient(address)
            try await subscriber.hello(token: Self.pricerToken)
            try await subscriber.subscribe([TestTypes.small, TestTypes.bench, TestTypes.large])
            let reader = try await TestClient(address)
            try await reader.hello(token: Self.readerToken)
            try await reader.send(typeID: TestTypes.small, payload: [9])
            #expect(try await reader.expectError(.permissionDenied).contains("(user 'reader') may not publish type 1001"))
            let pricer = try await TestClient(address)
            try await pricer.hello(token: Self.pricerToken)
            // Small copied, BenchFrame denied, Large read into its own buffer, BenchFrame
            // denied above the copy threshold, Small again: in one write.
            let large = [UInt8](repeating: 5, count: 3000)
            try await pricer.send(
                FrameHeader(typeID: TestTypes.small, length: 1).bytes + [1]
                    + FrameHeader(typeID: TestTypes.bench, length: 1).bytes + [2]
                    + FrameHeader(typeID: TestTypes.large, length: 3000).bytes + large
                    + FrameHeader(typeID: TestTypes.bench, length: 1000).bytes + [UInt8](repeating: 3, count: 1000)
                    + FrameHeader(typeID: TestTypes.small, length: 1).bytes + [4])
            #expect(try await pricer.expectError(.permissionDenied).contains("may not publish type 1002; 1 bytes skipped"))
            #expect(try await pricer.expectError(.permissionDenied).contains("may not publish type 1002; 1000 bytes skipped"))
            #expect(try await subscriber.readFrame().payload == [1])
            #expect(try await subscriber.readFrame().payload == large)
            #expect(try await subscriber.readFrame().payload == [4])
            #expect(try await subscriber.sync().isEmpty, "no denied frame was delivered")
        }
    }

    @Test func subscribingOutsideThePermissionsAppliesNothing() async throws {
        try await besideHealthyPair(refusals: 1) { address in
            let reader = try await TestClient(address)
            try await reader.hello(token: Self.readerToken)
            try await reader.send(.subscribe([TestTypes.small, TestTypes.bench]))
            #expect(
                try await reader.expectError(.permissionDenied).contains("may not subscribe to type 1002; nothing was subscribed")
            )
            let pricer = try await TestClient(address)
            try await pricer.hello(token: Self.pricerToken)
            try await pricer.send(typeID: TestTypes.small, payload: [1])
            try await pricer.sync()  // routed: before the permitted subscription below
            try await reader.subscribe([TestTypes.small])
            try await pricer.send(typeID: TestTypes.small, payload: [2])
            #expect(try await reader.readFrame().payload == [2], "the refused SUBSCRIBE did not subscribe to Small")
        }
    }

    @Test func refusalsAreLoggedWithNameAndPeerButNeverTheToken() async throws {
        let recorder = LogRecorder()
        let wrong = "wrong-token-0123456789"
        try await besideHealthyPair(refusals: 2, logger: recorder.logger()) { address in
            let guesser = try await TestClient(address)
            try await guesser.send(.hello(Hello(peerName: "guesser", token: wrong)))
            try await guesser.expectError(.notAuthorized)
            let reader = try await TestClient(address)
            try await reader.hello(name: "reader-1", token: Self.readerToken)
            try await reader.send(typeID: TestTypes.small, payload: [1])
            try await reader.expectError(.permissionDenied)
        }
        let lines = recorder.lines
        let refused = try #require(lines.first { $0.metadata["code"] == "\(WireErrorCode.notAuthorized)" })
        #expect(refused.level == .warning && refused.metadata["name"] == "guesser")
        #expect(refused.metadata["peer"]?.description.hasPrefix("127.0.0.1:") == true)
        let denied = try #require(lines.first { $0.metadata["code"] == "\(WireErrorCode.permissionDenied)" })
        #expect(denied.metadata["name"] == "reader-1" && denied.metadata["user"] == "reader")
        let everything = lines.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        #expect(!everything.contains(wrong) && !everything.contains(Self.readerToken))
    }

    @Test func aBrokerWithoutAuthorizationAcceptsHellosWithAndWithoutATokenAndCountsNoRefusals() async throws {
        try await withBroker(.forTests()) { broker, addresses in
            let old = try await TestClient(addresses[0])
            try await old.hello(token: nil)
            try await old.subscribe([TestTypes.small])
            let new = try await TestClient(addresses[0])
            try await new.hello(token: Self.pricerToken)
            try await new.send(typeID: TestTypes.bench, payload: [7])
            try await new.send(typeID: TestTypes.small, payload: [8])
            #expect(try await old.readFrame().payload == [8])
            #expect(try await new.sync().isEmpty)
            #expect(broker.stats().authRefusals == 0)
        }
    }

    @Test func theConfigurationIsChecked() {
        func refusal(_ users: [Authorization.User]) -> String {
            var configuration = BrokerConfiguration.forTests()
            configuration.authorization = Authorization(users: users)
            do {
                _ = try Broker(configuration: configuration)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        let hash = Authorization.tokenSHA256(Self.pricerToken)
        #expect(
            refusal([.init(name: "a", tokenSHA256: hash, publish: .only([4242]), subscribe: .all)])
                .contains("user 'a' may publish type id 4242, which the broker does not route"))
        #expect(
            refusal([.init(name: "a", tokenSHA256: [1, 2], publish: .all, subscribe: .all)])
                .contains("user 'a' has a token hash of 2 bytes; a SHA-256 hash has 32"))
        #expect(
            refusal([
                .init(name: "a", tokenSHA256: hash, publish: .all, subscribe: .all),
                .init(name: "b", tokenSHA256: hash, publish: .all, subscribe: .all),
            ]).contains("user 'b' has the same token hash as another user"))
        #expect(
            refusal([
                .init(name: "a", tokenSHA256: hash, publish: .all, subscribe: .all),
                .init(name: "a", tokenSHA256: Authorization.tokenSHA256(Self.readerToken), publish: .all, subscribe: .all),
            ]).contains("user 'a' appears twice; give each user one entry"))
    }

    @Test func aNonLoopbackListenerWithoutAuthorizationIsWarnedAbout() async throws {
        for authorized in [false, true] {
            let recorder = LogRecorder()
            var configuration = BrokerConfiguration.forTests(listeners: [.tcp(host: "0.0.0.0", port: 0)])
            configuration.logger = recorder.logger()
            if authorized { configuration.authorization = Self.authorization }
            try await withBroker(configuration) { _, _ in }
            let warned = recorder.lines.contains {
                $0.level == .warning && $0.message.contains("non-loopback address without access control")
            }
            #expect(warned == !authorized)
        }
        let recorder = LogRecorder()
        var loopback = BrokerConfiguration.forTests()
        loopback.logger = recorder.logger()
        try await withBroker(loopback) { _, _ in }
        #expect(!recorder.lines.contains { $0.message.contains("non-loopback") })
    }
}
