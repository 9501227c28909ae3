import Glibc
import MyceliumBackends
import MyceliumKit
import MyceliumTestSupport
import Testing

/// What connections hold of the pool: a receive buffer only while a frame is partial, output
/// chunks only while bytes are unwritten; and the memory a burst took comes back by trim.
@Suite struct BrokerConnectionMemoryTests {
    /// Connections the idle test opens (each takes a descriptor on both ends).
    private static let idleConnections = 2_000
    private static let descriptorsNeeded = rlim_t(2 * idleConnections + 200)

    private func payload(_ size: Int, seed: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) }
    }

    /// Payload lengths around every class boundary of the broker's plan (the frame's bytes
    /// and the payload at, one below and one above each class size) and around the copy
    /// limit, within the largest test type.
    private static func boundaryLengths(_ configuration: BrokerConfiguration) -> [Int] {
        let edges = configuration.sizeClassPlan.classes.flatMap { [$0.size, $0.size - FrameHeader.byteCount] }
        let lengths = (edges + [configuration.copyThreshold]).flatMap { [$0 - 1, $0, $0 + 1] }
        return Set(lengths.filter { $0 >= 1 && $0 <= 1 << 20 }).sorted()
    }

    @Test func framesStraddlingReadsArriveWholeAtEveryClassBoundaryAndAroundTheCopyLimit() async throws {
        let configuration = BrokerConfiguration.forTests(pool: "arena")
        try await withBroker(configuration) { broker, addresses in
            let subscriber = try await TestClient(addresses[0], timeoutSeconds: 30)
            try await subscriber.subscribe([TestTypes.small, TestTypes.bench, TestTypes.large])
            let publisher = try await TestClient(addresses[0], timeoutSeconds: 30)
            try await publisher.sync()
            let probe = try await TestClient(addresses[0], timeoutSeconds: 30)
            // The loop's receive buffer only (a reply's chunk goes back just after its send).
            let idle = try await broker.waitForStats { $0.pool.inUse <= 1 }.pool.inUse
            for (index, length) in Self.boundaryLengths(configuration).enumerated() {
                let type = length <= 64 ? TestTypes.small : length <= 1024 ? TestTypes.bench : TestTypes.large
                let body = payload(length, seed: index)
                let frame = FrameHeader(typeID: type, length: UInt32(length)).bytes + body
                for split in Set([3, FrameHeader.byteCount, frame.count / 2, frame.count - 1]).sorted() {
                    try await publisher.send(Array(frame.prefix(split)))
                    // The broker has read the first part when it answers a PING sent after
                    // it (the part was in its socket first; the PONG goes out at the end of
                    // the loop's batch). A partial frame of the receive buffer's class keeps
                    // that buffer rather than a carry, so the pool's count cannot tell.
                    _ = try await probe.sync()
                    try await publisher.send(Array(frame.dropFirst(split)))
                    let received = try await subscriber.readFrame()
                    #expect(
                        received == .init(typeID: type, payload: body),
                        "a \(length)-byte payload split after \(split) bytes arrived as type \(received.typeID), \(received.payload.count) bytes"
                    )
                    try await broker.waitForStats { $0.pool.inUse <= idle }
                }
            }
        }
    }

    /// A frame above the copy limit is read into its own buffer with the next frame's header
    /// behind it: whatever that header starts (another large frame, a small one, a control
    /// frame, or only part of a header so far), every frame arrives whole and in order.
    @Test func whateverFollowsAFrameAboveTheCopyLimitArrivesWholeAndInOrder() async throws {
        try await withBroker(.forTests(pool: "arena")) { broker, addresses in
            let subscriber = try await TestClient(addresses[0], timeoutSeconds: 30)
            try await subscriber.subscribe([TestTypes.small, TestTypes.large])
            let publisher = try await TestClient(addresses[0], timeoutSeconds: 30)
            _ = try await publisher.sync()
            let probe = try await TestClient(addresses[0], timeoutSeconds: 30)
            let idle = try await broker.waitForStats { $0.pool.inUse <= 1 }.pool.inUse
            // Larger than the 64 KiB receive buffer, just above the copy limit, and small.
            let sent: [(type: UInt16, payload: [UInt8])] = [
                (TestTypes.large, payload(70_000, seed: 1)), (TestTypes.large, payload(70_000, seed: 2)),
                (TestTypes.large, payload(16_385, seed: 3)), (TestTypes.small, payload(40, seed: 4)),
                (TestTypes.large, payload(100_000, seed: 5)), (TestTypes.large, payload(65_536, seed: 6)),
            ]
            let frames = sent.map { FrameHeader(typeID: $0.type, length: UInt32($0.payload.count)).bytes + $0.payload }
            // A PING behind a large frame: its PONG comes back to the publisher.
            try await publisher.send(frames[0] + frames[1] + frames[2] + frames[3] + frames[4] + ControlFrame.ping([7]).encoded())
            #expect(try await publisher.readFrame() == .init(typeID: ControlFrameType.pong.rawValue, payload: [7]))
            // A large frame and three bytes of the next header; the rest once the broker has them.
            try await publisher.send(frames[4] + Array(frames[5].prefix(3)))
            _ = try await probe.sync()
            try await publisher.send(Array(frames[5].dropFirst(3)))
            for (index, expected) in (sent.prefix(5) + sent.suffix(2)).enumerated() {
                let received = try await subscriber.readFrame()
                #expect(
                    received == .init(typeID: expected.type, payload: expected.payload),
                    "frame \(index): type \(received.typeID), \(received.payload.count) bytes")
            }
            try await broker.waitForStats { $0.pool.inUse <= idle }
        }
    }

    @Test func aPartialFrameHoldsABufferOfItsClassUntilItCompletes() async throws {
        try await withBroker(.forTests(pool: "arena")) { broker, addresses in
            let subscriber = try await TestClient(addresses[0])
            try await subscriber.subscribe([TestTypes.bench])
            let publisher = try await TestClient(addresses[0])
            try await publisher.sync()
            let before = try await broker.waitForStats { $0.pool.inUse <= 1 }.pool
            let frame = FrameHeader(typeID: TestTypes.bench, length: 300).bytes + payload(300, seed: 3)
            try await publisher.send(Array(frame.prefix(100)))
            let holding = try await broker.waitForStats { $0.pool.inUse == before.inUse + 1 }
            let grown = zip(holding.pool.classes, before.classes).filter { $0.inUse > $1.inUse }.map(\.0.size)
            #expect(grown.count == 1 && grown[0] >= 308 && grown[0] < 64 << 10, "the carry came from classes \(grown)")
            try await publisher.send(Array(frame.dropFirst(100)))
            #expect(try await subscriber.readFrame().payload == payload(300, seed: 3))
            try await broker.waitForStats { $0.pool.inUse == before.inUse }
        }
    }

    @Test(
        .enabled(
            if: Self.canOpenIdleConnections(),
            "needs 4,200 file descriptors and RLIMIT_NOFILE's hard limit is lower; raise it (ulimit -Hn) to run this test"))
    func twoThousandIdleSubscribersHoldNoPoolMemory() async throws {
        var configuration = BrokerConfiguration.forTests(pool: "arena")
        configuration.loops = 2
        try await withBroker(configuration) { broker, addresses in
            let address = addresses[0]
            let thread = TestThread(name: "idle subscribers")
            defer { thread.stop() }
            let answer = try await thread.run { try Self.subscribeIdleAndAskForStats(address) }
            let decoded = try answer.payload.withUnsafeBytes { try ControlFrame.decode(typeID: answer.typeID, payload: $0) }
            guard case .stats(let statsText) = decoded else {
                Issue.record("the broker answered STATS with \(decoded)")
                return
            }
            let stats = try BrokerStats(jsonDocument: statsText)
            #expect(stats.connections == Self.idleConnections + 1)
            #expect(
                stats.pool.inUse <= configuration.loops + 1,
                "\(Self.idleConnections) idle subscribers and the asker hold \(stats.pool.inUse) buffers")
            #expect(stats.pool.misses == 0)
            // Every connection closed: only the loops' receive buffers stay, and withBroker
            // checks that the stop returns those.
            try await broker.waitForStats { $0.connections == 0 && $0.pool.inUse <= configuration.loops }
        }
    }

    @Test func aFanOutToManySubscribersHoldsABoundedNumberOfOutputChunks() async throws {
        // The mutex pool's high-water mark is exact.
        try await withBroker(.forTests(pool: "mutex")) { broker, addresses in
            let address = addresses[0]
            let count = 300
            let thread = TestThread(name: "fan-out subscribers")
            defer { thread.stop() }
            let received = try await thread.run { () throws -> Int in
                var subscribers: [TestConnection] = []
                for _ in 0..<count {
                    let subscriber = try TestConnection(address)
                    try subscriber.subscribe([TestTypes.small])
                    subscribers.append(subscriber)
                }
                let publisher = try TestConnection(address)
                try publisher.send(typeID: TestTypes.small, payload: [1, 2, 3])
                return try subscribers.filter { try $0.readFrame().payload == [1, 2, 3] }.count
            }
            #expect(received == count)
            let engine = try #require(broker.stats().pool.classes.first { $0.size == 64 << 10 })
            // 64 connections' output waits at most for the end of a batch (LoopState.dirtyLimit),
            // plus the loop's receive buffer and the publisher's reply chunk at most.
            #expect(engine.highWater <= 64 + 2, "\(engine.highWater) engine buffers out at once for \(count) subscribers")
        }
    }

    @Test func aTrimGivesBackTheMemoryOfABurst() async throws {
        var configuration = BrokerConfiguration.forTests(pool: "arena")
        configuration.trimInterval = .milliseconds(50)
        try await withBroker(configuration) { broker, addresses in
            let subscriber = try await TestClient(addresses[0])
            try await subscriber.subscribe([TestTypes.large])
            let idle = try await broker.waitForStats { $0.pool.inUse <= 1 }.pool
            // Eight frames of 1 MiB left partial: each holds a buffer of the 1 MiB class.
            let publishers = try await TestClient.connect(8, to: addresses[0])
            for publisher in publishers {
                try await publisher.send(FrameHeader(typeID: TestTypes.large, length: 1 << 20).bytes + [1])
            }
            let peak = try await broker.waitForStats { $0.pool.inUse >= idle.inUse + 8 }
            #expect(peak.pool.bytesReserved > idle.bytesReserved)
            for publisher in publishers { shutdown(publisher.fd, Int32(SHUT_RDWR)) }
            try await broker.waitForStats(timeout: .seconds(30)) {
                $0.pool.inUse == idle.inUse && $0.pool.bytesReserved <= idle.bytesReserved
            }
        }
    }

    @Test func aNegativeTrimIntervalIsRefused() throws {
        var configuration = BrokerConfiguration.forTests()
        configuration.trimInterval = .milliseconds(-1)
        let error = #expect(throws: BrokerError.self) { try Broker(configuration: configuration) }
        #expect(String(describing: error).contains("trim interval must not be negative"), "\(String(describing: error))")
    }

    /// Opens ``idleConnections`` connections that each subscribe, asks for STATS on one more
    /// and returns its answer; every connection is closed on return.
    private static func subscribeIdleAndAskForStats(_ address: SocketAddress) throws -> TestConnection.Frame {
        var connections: [TestConnection] = []
        for _ in 0..<idleConnections {
            let connection = try TestConnection(address, timeoutSeconds: 30)
            try connection.subscribe([TestTypes.small])
            connections.append(connection)
        }
        let asker = try TestConnection(address, timeoutSeconds: 30)
        try asker.send(.statsRequest)
        return try asker.readFrame()
    }

    /// Raises the soft limit of open descriptors to what the idle test needs, within the hard
    /// limit; `false` when the hard limit is lower.
    private static func canOpenIdleConnections() -> Bool {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return false }
        if limit.rlim_cur >= descriptorsNeeded { return true }
        guard limit.rlim_max >= descriptorsNeeded else { return false }
        limit.rlim_cur = descriptorsNeeded
        return setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0
    }
}
