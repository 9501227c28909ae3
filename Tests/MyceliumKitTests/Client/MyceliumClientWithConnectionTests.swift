import MyceliumKit
import MyceliumTestSupport
import Testing

/// `MyceliumClient.withConnection` closes its client however the body ends.
@Suite struct MyceliumClientWithConnectionTests {
    private struct BodyFailed: Error {}

    /// Checks that `client` is closed: a publish fails with the closed error.
    private func expectClosed(_ client: MyceliumClient?) async {
        guard let client else {
            Issue.record("the body never ran")
            return
        }
        let error = await clientError { try await client.publish(typeID: TestTypes.small, payload: [1]) }
        #expect(error == .closed)
    }

    @Test func closesAfterTheBodyReturnsAndGivesItsResult() async throws {
        try await withBroker(.forTests()) { _, addresses in
            var used: MyceliumClient?
            let latency = try await MyceliumClient.withConnection(to: addresses[0], name: "scoped", pool: clientPool()) {
                client in
                used = client
                try await client.publish(typeID: TestTypes.small, payload: [1])
                return try await client.ping()
            }
            #expect(latency > .zero)
            await expectClosed(used)
        }
    }

    @Test func closesWhenTheBodyThrowsAndRethrows() async throws {
        try await withBroker(.forTests()) { _, addresses in
            var used: MyceliumClient?
            await #expect(throws: BodyFailed.self) {
                try await MyceliumClient.withConnection(to: addresses[0], name: "scoped", pool: clientPool()) { client in
                    used = client
                    try await client.publish(typeID: TestTypes.small, payload: [1])
                    throw BodyFailed()
                }
            }
            await expectClosed(used)
        }
    }

    @Test func closesWhenTheTaskIsCancelled() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let (clients, handOut) = AsyncStream.makeStream(of: MyceliumClient.self)
            let address = addresses[0]
            let task = Task {
                try await MyceliumClient.withConnection(to: address, name: "scoped", pool: clientPool()) { client in
                    handOut.yield(client)
                    // Waits for messages that never come, until the task is cancelled.
                    let stream = try await client.subscribe([TestTypes.small])
                    for try await _ in stream {}
                }
            }
            var iterator = clients.makeAsyncIterator()
            let client = await iterator.next()
            task.cancel()
            let outcome = await task.result
            #expect(throws: CancellationError.self) { try outcome.get() }
            await expectClosed(client)
        }
    }
}
