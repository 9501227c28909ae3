package import MyceliumKit
import Testing

/// A publisher and a subscriber on `address` that must see every one of their messages,
/// run beside bad input to show other connections never notice it.
package final class HealthyPair: Sendable {
    /// Publishes ``TestTypes/healthy``.
    package let publisher: TestClient
    /// Subscribed to ``TestTypes/healthy``.
    package let subscriber: TestClient
    private let sequence = Counter()

    private final class Counter: @unchecked Sendable {
        var value = 0
    }

    /// Connects both (each sending HELLO with `token` first, when given) and subscribes the
    /// subscriber.
    package init(_ address: SocketAddress, token: String? = nil) async throws {
        publisher = try await TestClient(address)
        subscriber = try await TestClient(address)
        if let token {
            try await publisher.hello(token: token)
            try await subscriber.hello(token: token)
        }
        try await subscriber.subscribe([TestTypes.healthy])
    }

    /// Publishes `count` numbered messages and checks each arrives, in order.
    package func exchange(_ count: Int = 10) async throws {
        let first = sequence.value
        sequence.value += count
        try await publisher.perform { connection in
            for number in first + 1...first + count {
                try connection.send(typeID: TestTypes.healthy, payload: sequencePayload(number))
            }
        }
        let frames = try await subscriber.perform { connection in try (0..<count).map { _ in try connection.readFrame() } }
        #expect(frames == (first + 1...first + count).map { .init(typeID: TestTypes.healthy, payload: sequencePayload($0)) })
    }
}
