import Glibc
import MyceliumBackends
import MyceliumKit
import MyceliumTestSupport
import Testing

@Suite struct MyceliumClientCloseTests {
    @Test(arguments: ["tcp", "unix"])
    func closeRightAfterPublishingLosesNothing(transport: String) async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let listener: SocketAddress =
            transport == "tcp" ? .tcp(host: "127.0.0.1", port: 0) : .unix(path: directory.path + "/broker.sock")
        try await withBroker(.forTests(listeners: [listener])) { _, addresses in
            let subscriber = try await connectClient(addresses[0], name: "counter")
            let stream = try await subscriber.subscribe([TestTypes.small])
            let total = 20_000
            let publisher = try await connectClient(addresses[0], name: "publisher")
            for sequence in 1...total {
                try await publisher.publish(typeID: TestTypes.small, payload: sequencePayload(sequence))
            }
            try await publisher.close()
            let received = try await stream.collect(total, seconds: 30)
            #expect(received.count == total)
            #expect(received.map(\.payload) == (1...total).map(sequencePayload), "every message, in order")
            try await subscriber.close()
        }
    }

    @Test func closeReportsABrokerErrorNoFlushReported() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let client = try await connectClient(addresses[0])
            try await client.publish(typeID: 4243, payload: [1])
            let error = await clientError { try await client.close() }
            #expect(error?.brokerError?.code == .unknownTypeID)
            #expect(error?.brokerError?.message.contains("4243") == true)
            let later = await clientError { try await client.publish(typeID: TestTypes.small, payload: [1]) }
            #expect(later == .closed, "closed all the same")
            try await client.close()
        }
    }

    @Test func closeGivesUpOnABrokerThatDoesNotConfirmAndSaysSo() async throws {
        try await withPeer { client, _, _ in
            try await client.publish(typeID: TestTypes.small, payload: [1])
            let started = ContinuousClock.now
            let error = await clientError {
                try await within(60, "close") { try await client.close(timeout: .milliseconds(200)) }
            }
            #expect(ContinuousClock.now - started >= .milliseconds(200))
            guard let (request, timeout) = error?.unansweredRequest, error?.code == .timedOut else {
                Issue.record("expected timedOut, got \(String(describing: error))")
                return
            }
            #expect(request.contains("close") && timeout == .milliseconds(200))
            #expect(error?.description.contains("may be lost") == true)
            let later = await clientError { _ = try await client.ping() }
            #expect(later == .closed)
        }
    }

    @Test func closingAClientThatOnlySubscribedDoesNotWaitForTheBroker() async throws {
        try await withPeer { client, _, _ in
            // Waiting for the broker would take the whole minute; a loaded machine under the
            // thread sanitizer took 5.6 s without waiting.
            let started = ContinuousClock.now
            try await within(40, "close") { try await client.close(timeout: .seconds(60)) }
            #expect(ContinuousClock.now - started < .seconds(30))
        }
    }

    @Test func closeAfterTheConnectionWasLostWithUnconfirmedFramesThrowsTheLoss() async throws {
        try await withPeer { client, _, connection in
            try await client.publish(typeID: TestTypes.small, payload: [1])
            shutdown(connection, Int32(SHUT_RDWR))
            let lost = await clientError { _ = try await within(60, "a ping to a closed peer") { try await client.ping() } }
            guard lost?.code == .connectionLost else {
                Issue.record("expected connectionLost, got \(String(describing: lost))")
                return
            }
            let error = await clientError { try await client.close() }
            #expect(error == lost, "the publish before the loss may be lost: close says so")
        }
    }
}
