import Glibc
import MyceliumBackends
import MyceliumKit
import Testing

@Suite struct BrokerPubSubTests {
    private func payload(_ size: Int, seed: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) }
    }

    @Test func routesOverTCPToEverySubscriberIncludingTheSender() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let publisher = try TestClient(addresses[0])
            try publisher.subscribe([TestTypes.small])
            let subscribers = try (0..<3).map { _ in try TestClient(addresses[0]) }
            for subscriber in subscribers { try subscriber.subscribe([TestTypes.small]) }
            let other = try TestClient(addresses[0])
            try other.subscribe([TestTypes.bench])
            try publisher.send(typeID: TestTypes.small, payload: [1, 2, 3])
            for client in subscribers + [publisher] {
                #expect(try client.readFrame() == .init(typeID: TestTypes.small, payload: [1, 2, 3]))
            }
            #expect(try other.sync().isEmpty)
        }
    }

    @Test func routesOverUnixAndAcrossTransports() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/broker.sock"
        let configuration = BrokerConfiguration.forTests(listeners: [.tcp(host: "127.0.0.1", port: 0), .unix(path: path)])
        try await withBroker(configuration) { _, addresses in
            var status = stat()
            #expect(stat(path, &status) == 0 && status.st_mode & 0o777 == 0o600)
            let unixSubscriber = try TestClient(addresses[1])
            let tcpSubscriber = try TestClient(addresses[0])
            try unixSubscriber.subscribe([TestTypes.small])
            try tcpSubscriber.subscribe([TestTypes.small])
            let unixPublisher = try TestClient(addresses[1])
            try unixPublisher.send(typeID: TestTypes.small, payload: [7])
            #expect(try unixSubscriber.readFrame().payload == [7])
            #expect(try tcpSubscriber.readFrame().payload == [7])
        }
        #expect(access(path, F_OK) != 0, "the socket file is removed at stop")
    }

    @Test func listensOnIPv6Loopback() async throws {
        try await withBroker(.forTests(listeners: [.tcp(host: "::1", port: 0)])) { _, addresses in
            guard case .tcp(let host, let port) = addresses[0] else { return }
            #expect(host == "::1" && port != 0)
            let pair = try HealthyPair(addresses[0])
            try pair.exchange()
        }
    }

    @Test func unsubscribeStopsDelivery() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let subscriber = try TestClient(addresses[0])
            try subscriber.subscribe([TestTypes.small, TestTypes.bench])
            try subscriber.send(.unsubscribe([TestTypes.small]))
            try subscriber.sync()
            let publisher = try TestClient(addresses[0])
            try publisher.send(typeID: TestTypes.small, payload: [1])
            try publisher.send(typeID: TestTypes.bench, payload: [2])
            #expect(try subscriber.readFrame() == .init(typeID: TestTypes.bench, payload: [2]))
        }
    }

    @Test func keepsPerPublisherOrderOver100000Messages() async throws {
        try await withBroker(.forTests()) { broker, addresses in
            let subscriber = try TestClient(addresses[0])
            try subscriber.subscribe([TestTypes.small])
            let publisher = try TestClient(addresses[0])
            let count = 100_000
            let sender = Task.detached {
                var batch: [UInt8] = []
                for sequence in 1...count {
                    batch += FrameHeader(typeID: TestTypes.small, length: 8).bytes
                    batch += withUnsafeBytes(of: UInt64(sequence).littleEndian, Array.init)
                    if batch.count > 60_000 || sequence == count {
                        try publisher.send(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
            }
            for expected in 1...count {
                let frame = try subscriber.readFrame()
                let value = frame.payload.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
                guard value == UInt64(expected) else {
                    Issue.record("message \(expected) arrived as \(value)")
                    break
                }
            }
            try await sender.value
            let stats = try await broker.waitForStats { $0.messagesIn == count }
            #expect(stats.messagesOut == count)
        }
    }

    @Test(arguments: [16, 1024, 1 << 20])
    func forwardsFramesUnchangedAtEverySize(size: Int) async throws {
        try await withBroker(.forTests()) { _, addresses in
            let type = size <= 64 ? TestTypes.small : size <= 1024 ? TestTypes.bench : TestTypes.large
            let subscribers = try (0..<2).map { _ in try TestClient(addresses[0]) }
            for subscriber in subscribers { try subscriber.subscribe([type]) }
            let publisher = try TestClient(addresses[0])
            let payloads = (0..<3).map { payload(size, seed: $0) }
            for payload in payloads { try publisher.send(typeID: type, payload: payload) }
            for subscriber in subscribers {
                for payload in payloads { #expect(try subscriber.readFrame() == .init(typeID: type, payload: payload)) }
            }
        }
    }

    @Test func assemblesAFrameTrickledOneBytePerWrite() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let subscriber = try TestClient(addresses[0])
            try subscriber.subscribe([TestTypes.small, TestTypes.bench])
            let publisher = try TestClient(addresses[0])
            let small = FrameHeader(typeID: TestTypes.small, length: 5).bytes + [1, 2, 3, 4, 5]
            let large = FrameHeader(typeID: TestTypes.bench, length: 600).bytes + payload(600, seed: 9)
            for byte in small + large.prefix(40) {
                try publisher.send([byte])
                usleep(200)
            }
            try publisher.send(Array(large.dropFirst(40)))
            #expect(try subscriber.readFrame() == .init(typeID: TestTypes.small, payload: [1, 2, 3, 4, 5]))
            #expect(try subscriber.readFrame() == .init(typeID: TestTypes.bench, payload: payload(600, seed: 9)))
        }
    }

    @Test(arguments: PoolRegistry.builtIn.names)
    func worksWithEveryPoolBackend(pool: String) async throws {
        try await withBroker(.forTests(pool: pool)) { broker, addresses in
            #expect(broker.pool.name == pool)
            let pair = try HealthyPair(addresses[0])
            try pair.exchange(100)
            let subscriber = try TestClient(addresses[0])
            try subscriber.subscribe([TestTypes.bench])
            try pair.publisher.send(typeID: TestTypes.bench, payload: payload(1000, seed: 1))
            #expect(try subscriber.readFrame().payload == payload(1000, seed: 1))
        }
    }

    @Test func deliversAcrossLoops() async throws {
        var configuration = BrokerConfiguration.forTests()
        configuration.loops = 2
        try await withBroker(configuration) { broker, addresses in
            // Connections alternate between the loops: the subscriber lands on loop 0 and
            // the publisher on loop 1, so every frame crosses.
            let subscriber = try TestClient(addresses[0])
            try subscriber.subscribe([TestTypes.small, TestTypes.large])
            let publisher = try TestClient(addresses[0])
            let count = 20_000
            var batch: [UInt8] = []
            for sequence in 1...count {
                batch += FrameHeader(typeID: TestTypes.small, length: 8).bytes
                batch += withUnsafeBytes(of: UInt64(sequence).littleEndian, Array.init)
            }
            try publisher.send(batch)
            try publisher.send(typeID: TestTypes.large, payload: payload(100_000, seed: 3))
            for expected in 1...count {
                let value = try subscriber.readFrame().payload.withUnsafeBytes {
                    UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))
                }
                guard value == UInt64(expected) else {
                    Issue.record("message \(expected) arrived as \(value)")
                    return
                }
            }
            #expect(try subscriber.readFrame() == .init(typeID: TestTypes.large, payload: payload(100_000, seed: 3)))
            let stats = try await broker.waitForStats { $0.messagesOut == count + 1 }
            #expect(stats.messagesIn == count + 1)
        }
    }
}
