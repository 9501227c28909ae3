import MyceliumKit
import MyceliumTestSupport
import Testing

/// The uplink's probes of NATS interest against a real `nats-server`: a shared type nobody
/// subscribes to in NATS stays off the wire, and a subscriber that appears gets it again.
@Suite(.enabled(if: NATSServer.isInstalled, "needs /usr/sbin/nats-server (apt-get install nats-server)"))
struct UplinkInterestTests {
    private static func configuration(_ nats: NATSServer, probeInterval: Duration?) throws -> BrokerConfiguration {
        var configuration = try UplinkTests.configuration([nats], types: ["Small"])
        configuration.uplink?.probeInterval = probeInterval
        return configuration
    }

    /// Publishes numbered frames, each read back by the local subscriber, until the broker
    /// counts one as unwanted (NATS answered the first probe); at most 10,000 frames or 30 s.
    /// Returns how many were published.
    private static func publishUntilUnwanted(_ broker: Broker, _ publisher: TestClient, _ subscriber: TestClient)
        async throws -> Int
    {
        let deadline = ContinuousClock.now + .seconds(30)
        for sent in 1...10_000 where ContinuousClock.now < deadline {
            try await publisher.send(typeID: TestTypes.small, payload: sequencePayload(sent))
            #expect(try await subscriber.readFrame().payload == sequencePayload(sent))
            if broker.stats().uplink?.unwanted ?? 0 > 0 { return sent }
        }
        Issue.record("no frame was kept from NATS within 30 s: the probe's 'no responders' never closed the gate")
        return 0
    }

    @Test func aTypeNobodyReadsInNATSStaysLocalAndIsCountedUnwanted() async throws {
        let nats = try await NATSServer()
        // Probes far apart: once closed, the gate stays closed for the whole test.
        try await withBroker(try Self.configuration(nats, probeInterval: .seconds(600))) { broker, addresses in
            try await UplinkTests.connected(broker)
            let subscriber = try await TestClient(addresses[0])
            try await subscriber.subscribe([TestTypes.small])
            let publisher = try await TestClient(addresses[0])
            let first = try await Self.publishUntilUnwanted(broker, publisher, subscriber)
            let sentBefore = broker.stats().uplink?.messagesOut ?? -1
            let count = 1_000
            try await publisher.send(
                (0..<count).flatMap { FrameHeader(typeID: TestTypes.small, length: 8).bytes + sequencePayload($0) })
            let sequences = try await subscriber.perform { connection in
                try (0..<count).map { _ in sequenceNumber(try connection.readFrame().payload) }
            }
            #expect(sequences == Array(0..<count), "local delivery goes on in full")
            let stats = try await broker.waitForStats { $0.messagesIn == first + count }
            #expect(stats.uplink?.messagesOut == sentBefore, "nothing more went to NATS")
            #expect(
                (stats.uplink?.messagesOut ?? 0) + (stats.uplink?.unwanted ?? 0) == first + count,
                "every frame is either sent or counted unwanted: \(String(describing: stats.uplink))")
            #expect(stats.uplink?.state == "connected" && stats.uplink?.dropped == 0)
        }
        try await nats.stop()
    }

    @Test func aNATSSubscriberThatAppearsIsFoundByTheNextProbe() async throws {
        let nats = try await NATSServer()
        try await withBroker(try Self.configuration(nats, probeInterval: .milliseconds(200))) { broker, addresses in
            try await UplinkTests.connected(broker)
            let subscriber = try await TestClient(addresses[0])
            try await subscriber.subscribe([TestTypes.small])
            let publisher = try await TestClient(addresses[0])
            let first = try await Self.publishUntilUnwanted(broker, publisher, subscriber)
            let raw = try await RawNATSClient(nats)
            try await raw.subscribe("mycelium.Small")
            // Each round waits for both round trips; the next probe is due within 200 ms.
            let deadline = ContinuousClock.now + .seconds(60)
            var found = false
            for sequence in (first + 1)...(first + 100_000) where !found && ContinuousClock.now < deadline {
                try await publisher.send(typeID: TestTypes.small, payload: sequencePayload(sequence))
                _ = try await subscriber.sync()
                found = try await raw.sync() > 0
            }
            #expect(found, "a probe found the NATS subscriber within 60 s")
            // From now on every frame reaches NATS, in order.
            let base = 10_000_000
            try await publisher.send(
                (0..<100).flatMap { FrameHeader(typeID: TestTypes.small, length: 8).bytes + sequencePayload(base + $0) })
            var received: [Int] = []
            for _ in 0..<10_000 where received.count < 100 {
                let message = try await raw.nextMessage()
                let sequence = sequenceNumber(message.payload)
                if sequence >= base { received.append(sequence - base) }
            }
            #expect(received == Array(0..<100))
        }
        try await nats.stop()
    }

    @Test func withoutProbesEveryFrameIsSent() async throws {
        let nats = try await NATSServer()
        try await withBroker(try Self.configuration(nats, probeInterval: nil)) { broker, addresses in
            try await UplinkTests.connected(broker)
            let publisher = try await TestClient(addresses[0])
            try await publisher.send(
                (0..<50).flatMap { FrameHeader(typeID: TestTypes.small, length: 8).bytes + sequencePayload($0) })
            let stats = try await broker.waitForStats { $0.uplink?.messagesOut == 50 }
            #expect(stats.uplink?.unwanted == 0)
        }
        try await nats.stop()
    }
}
