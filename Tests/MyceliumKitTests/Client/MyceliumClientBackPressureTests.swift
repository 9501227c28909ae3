import Glibc
import MyceliumBackends
import MyceliumKit
import Synchronization
import Testing

/// A peer that answers HELLO and then reads only when told: the stalled path a publisher
/// meets when the broker cannot take more.
private struct StalledPeer: @unchecked Sendable {
    let listener: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 4) == 0 else { throw TimedOut(description: "cannot listen on \(path)") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Accepts one connection, reads its HELLO and answers with one; returns the connection.
    func acceptAndGreet() throws -> Int32 {
        let fd = accept(listener, nil, nil)
        guard fd >= 0 else { throw TimedOut(description: "no client connected") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var header = [UInt8](repeating: 0, count: FrameHeader.byteCount)
        try readExactly(fd, into: &header)
        let hello = header.withUnsafeBytes { FrameHeader(readingFrom: $0.baseAddress!) }
        var payload = [UInt8](repeating: 0, count: Int(hello.length))
        try readExactly(fd, into: &payload)
        let reply = ControlFrame.hello(Hello(peerName: "stalled")).encoded()
        _ = reply.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return fd
    }

    /// Reads and discards `byteCount` bytes (each read bounded by the 5 s timeout).
    func drain(_ fd: Int32, byteCount: Int) throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        var remaining = byteCount
        while remaining > 0 {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, remaining), 0) }
            guard count > 0 else { throw TimedOut(description: "the peer got \(byteCount - remaining) of \(byteCount) bytes") }
            remaining -= count
        }
    }

    private func readExactly(_ fd: Int32, into bytes: inout [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + offset, $0.count - offset, 0) }
            guard count > 0 else { throw TimedOut(description: "the client sent no HELLO") }
            offset += count
        }
    }
}

/// A count shared between a test and its tasks.
private final class Counter: Sendable {
    private let atomic = Atomic<Int>(0)
    var value: Int { atomic.load(ordering: .relaxed) }
    func increment() { atomic.add(1, ordering: .relaxed) }
}

@Suite struct MyceliumClientBackPressureTests {
    /// Waits (at most `seconds`) until `counter` stops moving for 300 ms; returns its value.
    private func settled(_ counter: Counter, seconds: Double = 10) async throws -> Int {
        var last = -1
        var still = 0
        for _ in 0..<Int(seconds * 20) {
            let now = counter.value
            still = now == last ? still + 1 : 0
            if still >= 6 { return now }
            last = now
            try await Task.sleep(for: .milliseconds(50))
        }
        return counter.value
    }

    @Test func publishSuspendsWhileThePeerDoesNotReadAndResumesWhenItDoes() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let peer = try StalledPeer(path: directory.path + "/stalled.sock")
        defer { close(peer.listener) }
        let accepting = Task.detached { try peer.acceptAndGreet() }
        var options = MyceliumClient.Options()
        options.maxPendingBytes = 64 << 10
        let pool = clientPool()
        let client = try await MyceliumClient.connect(to: .unix(path: peer.path), name: "p", pool: pool, options: options)
        let connection = try await accepting.value
        defer { close(connection) }

        let total = 20_000
        let payload = [UInt8](repeating: 0x5A, count: 1000)
        let published = Counter()
        let publisher = Task {
            for _ in 0..<total {
                try await client.publish(typeID: TestTypes.bench, payload: payload)
                published.increment()
            }
        }
        let stalledAt = try await settled(published)
        #expect(stalledAt < total, "publish suspended: \(stalledAt) of \(total) frames queued")
        let held = pool.stats()
        #expect(held.inUse < 100, "pending output is bounded: \(held.inUse) buffers out")

        let reading = Task.detached { try peer.drain(connection, byteCount: total * (FrameHeader.byteCount + payload.count)) }
        try await within(30, "the publisher to finish once the peer reads") {
            try await withTaskCancellationHandler {
                try await publisher.value
            } onCancel: {
                publisher.cancel()
            }
        }
        try await reading.value
        #expect(published.value == total)
        await client.close()
        #expect(pool.stats().inUse == 0)
    }

    @Test func aSubscriberThatDoesNotReadHoldsBoundedMemoryAndIsDroppedAsSlow() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = BrokerConfiguration.forTests(listeners: [.unix(path: directory.path + "/broker.sock")])
        configuration.maxPending = 256 << 10
        try await withBroker(configuration) { broker, addresses in
            var options = MyceliumClient.Options()
            options.streamCapacity = 64
            let pool = clientPool()
            let subscriber = try await MyceliumClient.connect(to: addresses[0], name: "slow", pool: pool, options: options)
            let publisher = try await connectClient(addresses[0])
            let stream = try await subscriber.subscribe([TestTypes.small])
            let total = 40_000
            try await within(30, "publishing past a stalled subscriber") {
                for sequence in 1...total {
                    try await publisher.publish(typeID: TestTypes.small, payload: sequencePayload(sequence))
                }
                try await publisher.flush()
            }
            try await broker.waitForStats { $0.slowConsumers == 1 }
            #expect(broker.stats().slowConsumers == 1)
            // At most the stream's capacity plus what one 64 KiB read holds (14-byte frames).
            let bound = options.streamCapacity + (64 << 10) / (FrameHeader.byteCount + 8) + 2
            let highWater = pool.stats().classes.reduce(0) { $0 + $1.highWater }
            #expect(highWater <= bound, "the subscriber stopped reading at its stream capacity: \(highWater) buffers at most")

            let outcome = try await within(10, "reading the slow stream to its end") { () -> (Int, MyceliumClientError?) in
                var iterator = stream.makeAsyncIterator()
                var count = 0
                do {
                    while let message = try await iterator.next() {
                        count += 1
                        #expect(message.copyBytes() == sequencePayload(count), "in order, none skipped")
                    }
                } catch let error as MyceliumClientError {
                    return (count, error)
                }
                return (count, nil)
            }
            #expect(outcome.0 > 64 && outcome.0 < total)
            guard case .connectionLost(_, let brokerError) = outcome.1 else {
                Issue.record("expected connectionLost, got \(String(describing: outcome.1))")
                return
            }
            // ERROR 6 is sent only if the full socket takes it.
            #expect(brokerError == nil || brokerError?.code == .slowConsumer, "\(String(describing: brokerError))")
            await subscriber.close()
            await publisher.close()
            #expect(pool.stats().inUse == 0)
        }
    }
}
