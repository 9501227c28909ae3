import Foundation
import Logging
import MyceliumBackends
import MyceliumKit
import MyceliumTestSupport
import Testing

/// Brokers sharing messages through a real `nats-server` on loopback.
@Suite(.enabled(if: NATSServer.isInstalled, "needs /usr/sbin/nats-server (apt-get install nats-server)"))
struct UplinkTests {
    /// The layout digest the tests give type Small.
    static let smallLayout: [UInt8] = Array(repeating: 0xAB, count: 32)
    static let smallLayoutHex = String(repeating: "ab", count: 32)

    static func configuration(
        _ servers: [NATSServer], types: [String]? = nil, logger: Logger? = nil
    ) throws -> BrokerConfiguration {
        var configuration = BrokerConfiguration.forTests()
        var uplink = UplinkConfiguration(servers: try servers.map { try NATSURL(parsing: $0.url) })
        uplink.types = types
        uplink.layoutDigests = ["Small": smallLayout]
        configuration.uplink = uplink
        if let logger { configuration.logger = logger }
        return configuration
    }

    /// A broker whose uplink's one server is `listener`, logging into `recorder`.
    static func configuration(_ listener: FakeNATSServer, logger recorder: LogRecorder) -> BrokerConfiguration {
        var configuration = BrokerConfiguration.forTests()
        configuration.logger = recorder.logger()
        configuration.uplink = UplinkConfiguration(servers: [NATSURL(host: "127.0.0.1", port: listener.port)])
        return configuration
    }

    static func connected(_ broker: Broker) async throws {
        try await broker.waitForStats { $0.uplink?.state == "connected" }
    }

    @Test func twoBrokersOnOneServerDeliverEveryFrameOnceInOrderWithoutEcho() async throws {
        let nats = try await NATSServer()
        try await withBroker(try Self.configuration([nats])) { brokerA, addressesA in
            try await withBroker(try Self.configuration([nats])) { brokerB, addressesB in
                try await Self.connected(brokerA)
                try await Self.connected(brokerB)
                let remote = try await TestClient(addressesB[0])
                try await remote.subscribe([TestTypes.small])
                let local = try await TestClient(addressesA[0])
                try await local.subscribe([TestTypes.small])
                try await nats.waitForSubscription("mycelium.Small", clients: 2)
                let count = 10_000
                let publisher = try await TestClient(addressesA[0])
                let frames = (0..<count).flatMap {
                    FrameHeader(typeID: TestTypes.small, length: 8).bytes + sequencePayload($0)
                }
                try await publisher.send(frames)
                for subscriber in [remote, local] {
                    let sequences = try await subscriber.perform { connection in
                        try (0..<count).map { _ in sequenceNumber(try connection.readFrame().payload) }
                    }
                    #expect(sequences == Array(0..<count), "every frame once, in order")
                }
                let a = try await brokerA.waitForStats { $0.uplink?.messagesOut == count }
                let b = try await brokerB.waitForStats { $0.uplink?.messagesIn == count }
                #expect(a.uplink?.messagesIn == 0, "A never gets its own frames back (echo off)")
                #expect(b.uplink?.messagesOut == 0, "B never publishes NATS frames back (one hop)")
                #expect(try await remote.sync().isEmpty, "nothing more arrived")
                #expect(try await local.sync().isEmpty, "nothing more arrived")
            }
        }
        try await nats.stop()
    }

    @Test func aPlainNATSClientPublishesToAndReadsFromMycelium() async throws {
        let nats = try await NATSServer()
        try await withBroker(try Self.configuration([nats])) { broker, addresses in
            try await Self.connected(broker)
            let raw = try await RawNATSClient(nats)
            try await raw.subscribe("mycelium.>")
            let subscriber = try await TestClient(addresses[0])
            try await subscriber.subscribe([TestTypes.small])
            try await nats.waitForSubscription("mycelium.Small", clients: 1)
            try await raw.publish("mycelium.Small", [1, 2, 3])
            #expect(try await subscriber.readFrame() == .init(typeID: TestTypes.small, payload: [1, 2, 3]))
            let publisher = try await TestClient(addresses[0])
            try await publisher.send(typeID: TestTypes.small, payload: [9, 8])
            #expect(try await subscriber.readFrame().payload == [9, 8])
            let message = try await raw.nextMessage()
            #expect(message.subject == "mycelium.Small" && message.payload == [9, 8])
            #expect(message.headers.hasPrefix("NATS/1.0\r\n"))
            #expect(message.headers.contains("Mycelium-Layout: \(Self.smallLayoutHex)\r\n"))
            #expect(message.headers.contains("Mycelium-Origin: "))
            try await broker.waitForStats { $0.uplink?.messagesIn == 1 && $0.uplink?.messagesOut == 1 }
        }
        try await nats.stop()
    }

    @Test func dropsAndCountsMessagesOfTheWrongLengthOrLayout() async throws {
        let nats = try await NATSServer()
        let recorder = LogRecorder()
        try await withBroker(try Self.configuration([nats], logger: recorder.logger())) { broker, addresses in
            try await Self.connected(broker)
            let subscriber = try await TestClient(addresses[0])
            try await subscriber.subscribe([TestTypes.small])
            try await nats.waitForSubscription("mycelium.Small", clients: 1)
            let raw = try await RawNATSClient(nats)
            try await raw.publish("mycelium.Small", [UInt8](repeating: 1, count: 65))
            try await raw.publish("mycelium.Small", [UInt8](repeating: 2, count: 65))
            try await raw.publish("mycelium.Small", [3], headers: ["Mycelium-Layout: 00ff"])
            try await raw.publish("mycelium.Small", [4], headers: ["Mycelium-Layout: \(Self.smallLayoutHex)"])
            try await raw.publish("mycelium.Small", [5], headers: ["Other: x"])
            #expect(try await subscriber.readFrame().payload == [4])
            #expect(try await subscriber.readFrame().payload == [5])
            try await broker.waitForStats { $0.uplink?.rejected == 3 && $0.uplink?.messagesIn == 2 }
            let drops = recorder.lines.filter { $0.message.hasPrefix("uplink: dropped") }
            #expect(drops.count == 1, "logged once per type: \(drops.map(\.message))")
            #expect(
                drops.first?.message
                    == "uplink: dropped a message of 65 bytes on mycelium.Small, above the type's maximum of 64 bytes; further drops of Small are counted, not logged"
            )
        }
        try await nats.stop()
    }

    @Test func typesNotSharedNeverReachNATS() async throws {
        let nats = try await NATSServer()
        try await withBroker(try Self.configuration([nats], types: ["Small"])) { broker, addresses in
            try await Self.connected(broker)
            let raw = try await RawNATSClient(nats)
            try await raw.subscribe("mycelium.>")
            let publisher = try await TestClient(addresses[0])
            try await publisher.send(typeID: TestTypes.bench, payload: [1])
            try await publisher.send(typeID: TestTypes.large, payload: [UInt8](repeating: 2, count: 4096))
            try await publisher.send(typeID: TestTypes.small, payload: [3])
            let message = try await raw.nextMessage()
            #expect(message.subject == "mycelium.Small" && message.payload == [3])
            #expect(try await raw.sync() == 0)
            #expect(broker.stats().uplink?.messagesOut == 1)
        }
        try await nats.stop()
    }

    @Test func framesAboveTheServersMaximumAreNotSentButCounted() async throws {
        let nats = try await NATSServer(configuration: "max_payload: 2048\n")
        try await withBroker(try Self.configuration([nats])) { broker, addresses in
            try await Self.connected(broker)
            let raw = try await RawNATSClient(nats)
            try await raw.subscribe("mycelium.>")
            let publisher = try await TestClient(addresses[0])
            try await publisher.send(typeID: TestTypes.large, payload: [UInt8](repeating: 2, count: 4096))
            try await publisher.send(typeID: TestTypes.large, payload: [UInt8](repeating: 3, count: 1024))
            let message = try await raw.nextMessage()
            #expect(message.subject == "mycelium.Large" && message.payload.count == 1024)
            let stats = try await broker.waitForStats { $0.uplink?.dropped == 1 }
            #expect(stats.uplink?.messagesOut == 1 && stats.uplink?.state == "connected")
        }
        try await nats.stop()
    }

    @Test func servesLocallyWhileNATSIsDownAndConnectsWhenItComes() async throws {
        let port = try NATSServer.freePort()
        let recorder = LogRecorder()
        var configuration = BrokerConfiguration.forTests()
        configuration.logger = recorder.logger()
        configuration.uplink = UplinkConfiguration(servers: [NATSURL(host: "127.0.0.1", port: port)])
        try await withBroker(configuration) { broker, addresses in
            let subscriber = try await TestClient(addresses[0])
            try await subscriber.subscribe([TestTypes.small])
            let publisher = try await TestClient(addresses[0])
            try await publisher.send(typeID: TestTypes.small, payload: [1])
            #expect(try await subscriber.readFrame().payload == [1])
            #expect(broker.stats().uplink?.state != "connected")
            try await waitUntil("the outage line") {
                recorder.lines.contains {
                    $0.message
                        == "uplink: no NATS server answers (nats://127.0.0.1:\(port)); serving locally and retrying every 2 s"
                }
            }
            let nats = try await NATSServer(port: port)
            let stats = try await broker.waitForStats(timeout: .seconds(20)) { $0.uplink?.state == "connected" }
            #expect(stats.uplink?.server == "nats://127.0.0.1:\(port)" && stats.uplink?.reconnects == 0)
            let raw = try await RawNATSClient(nats)
            try await raw.subscribe("mycelium.>")
            try await nats.waitForSubscription("mycelium.Small", clients: 1)
            try await raw.publish("mycelium.Small", [7])
            #expect(try await subscriber.readFrame().payload == [7], "subscribed once connected")
            let outages = recorder.lines.filter { $0.message.hasPrefix("uplink: no NATS server answers") }
            #expect(outages.count == 1, "logged once per outage, not every retry")
            try await nats.stop()
        }
    }

    @Test func reconnectsToAnotherClusterNodeAndResumes() async throws {
        let clusterPorts = try (0..<3).map { _ in try NATSServer.freePort() }
        var nodes: [NATSServer] = []
        for port in clusterPorts {
            nodes.append(try await NATSServer(clusterPort: port, routes: clusterPorts.filter { $0 != port }))
        }
        let recorder = LogRecorder()
        // A knows node 1 only: the others join its list from the cluster's INFO (connect_urls).
        try await withBroker(try Self.configuration([nodes[0]], logger: recorder.logger())) { brokerA, addressesA in
            try await withBroker(try Self.configuration([nodes[2]])) { brokerB, addressesB in
                try await Self.connected(brokerA)
                try await Self.connected(brokerB)
                let remote = try await TestClient(addressesB[0])
                try await remote.subscribe([TestTypes.small])
                let local = try await TestClient(addressesA[0])
                try await local.subscribe([TestTypes.small])
                try await nodes[2].waitForSubscription("mycelium.Small", clients: 1)
                let publisher = try await TestClient(addressesA[0])
                let remotePublisher = try await TestClient(addressesB[0])
                var published = try await Self.sendUntilReceived(publisher, remote, sequence: 1)
                try await nodes[0].stop()
                try await brokerA.waitForStats { $0.uplink?.reconnects == 1 && $0.uplink?.state == "connected" }
                let server = brokerA.stats().uplink?.server ?? ""
                #expect(server == nodes[1].url || server == nodes[2].url, "reconnected to \(server)")
                published += try await Self.sendUntilReceived(publisher, remote, sequence: 1_000_000)
                // A subscribed again on its new node: B's frames reach A's subscriber.
                _ = try await Self.sendUntilReceived(remotePublisher, local, sequence: 2_000_000)
                // The gap is counted: every frame A's publisher sent was published to NATS,
                // dropped with the lost connection, or kept while NATS had no subscriber.
                let a = try await brokerA.waitForStats {
                    guard let uplink = $0.uplink else { return false }
                    return uplink.messagesOut + uplink.dropped + uplink.unwanted == published
                }
                #expect(a.uplink?.messagesOut ?? 0 > 0)
                let lines = recorder.lines.map(\.message)
                #expect(lines.contains { $0.hasPrefix("uplink disconnected from \(nodes[0].url)") })
                #expect(lines.contains("uplink reconnected to \(server)"))
            }
        }
        for node in nodes { try await node.stop() }
    }

    @Test func buffersWhileDisconnectedDroppingTheOldestPastTheBufferSize() async throws {
        let port = try NATSServer.freePort()
        var configuration = BrokerConfiguration.forTests()
        var uplink = UplinkConfiguration(servers: [NATSURL(host: "127.0.0.1", port: port)])
        uplink.bufferBytes = 256 << 10
        configuration.uplink = uplink
        try await withBroker(configuration) { broker, addresses in
            let publisher = try await TestClient(addresses[0])
            let frame = FrameHeader(typeID: TestTypes.bench, length: 1000).bytes + [UInt8](repeating: 5, count: 1000)
            var batch: [UInt8] = []
            batch.reserveCapacity(1000 * frame.count)
            for _ in 0..<1000 { batch += frame }
            try await publisher.send(batch)
            _ = try await publisher.sync()
            let waiting = try await broker.waitForStats { $0.uplink?.dropped ?? 0 > 0 }
            #expect(waiting.uplink?.messagesOut == 0)
            let nats = try await NATSServer(port: port)
            let stats = try await broker.waitForStats {
                $0.uplink?.state == "connected" && ($0.uplink?.messagesOut ?? 0) + ($0.uplink?.dropped ?? 0) == 1000
            }
            let sent = stats.uplink?.messagesOut ?? 0
            #expect(sent > 0 && sent * 1000 <= 256 << 10, "\(sent) frames of 1000 bytes kept in a 256 KiB buffer")
            try await nats.stop()
        }
    }

    @Test func answersTheServersPingsAndStaysConnected() async throws {
        let nats = try await NATSServer(configuration: "ping_interval: \"1s\"\nping_max: 2\n")
        try await withBroker(try Self.configuration([nats])) { broker, _ in
            try await Self.connected(broker)
            // A client that never answers is closed as stale after a few of the server's
            // PINGs; the broker's uplink, connected as long, answers them and stays.
            let silent = try await RawNATSClient(nats, waitsForPong: false)
            let lines = try await silent.linesUntilClosed()
            #expect(lines.contains("-ERR 'Stale Connection'"), "\(lines)")
            let stats = broker.stats()
            #expect(stats.uplink?.state == "connected" && stats.uplink?.reconnects == 0)
        }
        try await nats.stop()
    }

    @Test func declaresAServerThatLeavesTwoPingsUnansweredStale() async throws {
        let recorder = LogRecorder()
        let listener = try FakeNATSServer(info: "{\"server_id\":\"fake\",\"headers\":true}")
        var configuration = Self.configuration(listener, logger: recorder)
        configuration.uplink?.pingInterval = .milliseconds(200)
        try await withBroker(configuration) { broker, _ in
            let unanswered = try await listener.acceptAnsweringOnlyTheHandshake()
            #expect(unanswered == 2, "the uplink closes after its second unanswered PING")
            let line = "uplink disconnected from nats://127.0.0.1:\(listener.port): stale: two PINGs unanswered"
            try await waitUntil("the stale line") { recorder.lines.contains { $0.message == line } }
            #expect(broker.stats().uplink?.state != "connected")
        }
    }

    @Test func stopsRetryingAServerThatRefusesTheCredentialsTwice() async throws {
        let nats = try await NATSServer(extra: ["--user", "alice", "--pass", "right"])
        let recorder = LogRecorder()
        var wrong = try Self.configuration([nats], logger: recorder.logger())
        wrong.uplink?.servers = [try NATSURL(parsing: "nats://alice:wrong@127.0.0.1:\(nats.port)")]
        try await withBroker(wrong) { _, _ in
            try await waitUntil("two refusals", timeout: .seconds(20)) {
                recorder.lines.contains { $0.message.contains("refused the credentials twice in a row") }
            }
            let refusals = recorder.lines.filter { $0.message.hasPrefix("uplink: \(nats.url) sent -ERR") }
            #expect(refusals.count == 2, "\(refusals.map(\.message))")
            #expect(refusals.first?.message == "uplink: \(nats.url) sent -ERR 'Authorization Violation'")
        }
        var right = try Self.configuration([nats])
        right.uplink?.servers = [try NATSURL(parsing: "nats://alice:right@127.0.0.1:\(nats.port)")]
        try await withBroker(right) { broker, _ in try await Self.connected(broker) }
        try await nats.stop()
    }

    @Test func aServerDemandingTLSGetsAClearError() async throws {
        let recorder = LogRecorder()
        let listener = try FakeNATSServer(info: "{\"server_id\":\"fake\",\"tls_required\":true}")
        let configuration = Self.configuration(listener, logger: recorder)
        try await withBroker(configuration) { _, _ in
            try await listener.acceptOne()
            try await waitUntil("the TLS error", timeout: .seconds(20)) {
                recorder.lines.contains { $0.level == .error && $0.message.contains("TLS") }
            }
            let line = recorder.lines.first { $0.message.contains("TLS") }
            #expect(
                line?.message
                    == "uplink: nats://127.0.0.1:\(listener.port) requires TLS, and TLS is not supported by the uplink; give it a NATS listener without TLS"
            )
        }
    }

    /// Publishes frames numbered from `sequence` until the subscriber reads one of them (the
    /// cluster's interest reaches the publisher's node after a while): each round waits for
    /// the subscriber's round trip to its broker; at most 100,000 frames or 60 s. Returns how
    /// many frames it published.
    private static func sendUntilReceived(_ publisher: TestClient, _ subscriber: TestClient, sequence: Int)
        async throws -> Int
    {
        let deadline = ContinuousClock.now + .seconds(60)
        var sent = 0
        while sent < 100_000 && ContinuousClock.now < deadline {
            try await publisher.send(typeID: TestTypes.small, payload: sequencePayload(sequence + sent))
            sent += 1
            let frames = try await subscriber.sync()
            if frames.contains(where: { sequenceNumber($0.payload) >= sequence }) { return sent }
        }
        Issue.record("no frame from \(sequence) on crossed the cluster within 60 s")
        return sent
    }
}
