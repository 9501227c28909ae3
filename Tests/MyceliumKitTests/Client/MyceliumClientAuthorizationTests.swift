import MyceliumKit
import MyceliumTestSupport
import Testing

/// `MyceliumClient.connect(…, token:)` against a broker with access control.
@Suite struct MyceliumClientAuthorizationTests {
    private static func configuration() -> BrokerConfiguration {
        var configuration = BrokerConfiguration.forTests()
        configuration.authorization = BrokerAuthorizationTests.authorization
        return configuration
    }

    @Test func aPermittedClientPublishesAndSubscribesBesideARefusedOne() async throws {
        try await withBroker(Self.configuration()) { broker, addresses in
            let reader = try await connectClient(addresses[0], token: BrokerAuthorizationTests.readerToken)
            let smalls = try await reader.subscribe([TestTypes.small])
            let refused = await clientError {
                _ = try await connectClient(addresses[0], token: "wrong-token-0123456789")
            }
            #expect(refused?.code == .broker && refused?.brokerError?.code == .notAuthorized)
            #expect(refused?.description.contains("ERROR 9 (not authorized)") == true)
            let pricer = try await connectClient(addresses[0], token: BrokerAuthorizationTests.pricerToken)
            try await pricer.publish(typeID: TestTypes.small, payload: [1, 2])
            try await pricer.flush()
            var iterator = smalls.makeAsyncIterator()
            #expect(try await iterator.next()?.copyBytes() == [1, 2])
            #expect(try await broker.waitForStats { $0.authRefusals == 1 }.authRefusals == 1)
            try await pricer.close()
            try await reader.close()
        }
    }

    @Test func aClientWithoutATokenIsNotAuthorized() async throws {
        try await withBroker(Self.configuration()) { _, addresses in
            let error = await clientError { _ = try await connectClient(addresses[0]) }
            #expect(error?.brokerError?.code == .notAuthorized)
            #expect(error?.brokerError?.message.contains("sent HELLO without a token") == true)
        }
    }

    @Test func deniedPublishesAndSubscriptionsAreBrokerErrorsAndTheClientGoesOn() async throws {
        try await withBroker(Self.configuration()) { _, addresses in
            let reader = try await connectClient(addresses[0], token: BrokerAuthorizationTests.readerToken)
            let subscribeError = await clientError { _ = try await reader.subscribe([TestTypes.bench]) }
            #expect(subscribeError?.brokerError?.code == .permissionDenied)
            try await reader.publish(typeID: TestTypes.small, payload: [1])
            let flushError = await clientError { try await reader.flush() }
            #expect(flushError?.brokerError?.code == .permissionDenied)
            #expect(flushError?.description.contains("ERROR 10 (permission denied)") == true)
            _ = try await reader.ping()
            try await reader.close()
        }
    }

    @Test(arguments: ["short", String(repeating: "x", count: 1025), "with-a-nul-\u{0}-0123456789"])
    func aTokenTheBrokerCannotAcceptIsAnInvalidArgument(token: String) async throws {
        let error = await clientError {
            _ = try await MyceliumClient.connect(to: .tcp(host: "127.0.0.1", port: 1), name: "x", token: token)
        }
        #expect(error?.code == .invalidArgument)
        #expect(
            error?.description.contains("an access token has 16-1024 bytes, this one has \(token.utf8.count)") == true
                || error?.description == "with an access token, neither the token nor the peer name may contain a NUL byte")
    }
}
