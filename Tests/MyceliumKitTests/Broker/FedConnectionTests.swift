import Glibc
@_spi(Fuzzing) import MyceliumKit
import MyceliumTestSupport
import Testing

/// The fuzzing seam of the broker (`startStepped()`, `openFedConnection()`): bytes fed from
/// memory are read, parsed and routed as the same bytes sent on a socket are.
@Suite struct FedConnectionTests {
    /// What has arrived on `fd` (a fed connection's peer), read without waiting.
    private func arrived(_ fd: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard count > 0 else { return bytes }
            bytes += chunk[..<count]
        }
    }

    @Test func framesFedOneByteAtATimeReachASubscriberOnTheOtherLoop() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = BrokerConfiguration.forTests(listeners: [.unix(path: directory.path + "/broker.sock")])
        configuration.loops = 2
        let broker = try Broker(configuration: configuration)
        try broker.startStepped()
        let subscriber = try broker.openFedConnection()
        let subscribe = ControlFrame.subscribe([TestTypes.small]).encoded() + ControlFrame.ping([1, 2, 3, 4]).encoded()
        #expect(subscribe.withUnsafeBytes { subscriber.feed($0) })
        #expect(arrived(subscriber.peer) == ControlFrame.pong([1, 2, 3, 4]).encoded())

        let publisher = try broker.openFedConnection()
        let frames = (0..<3).flatMap { FrameHeader(typeID: TestTypes.small, length: 8).bytes + sequencePayload($0) }
        // One byte per read: every frame straddles reads, and each read ends a batch.
        for byte in frames { #expect([byte].withUnsafeBytes { publisher.feed($0) }) }
        #expect(arrived(subscriber.peer).isEmpty, "the frames wait in the other loop's inbox")
        broker.step()
        #expect(arrived(subscriber.peer) == frames)

        publisher.end()
        #expect(!publisher.isOpen)
        #expect(broker.stats().connections == 1)
        #expect(await broker.stop().stats.messagesIn == 3)
        #expect(!subscriber.isOpen && !subscriber.feed(UnsafeRawBufferPointer(start: nil, count: 0)))
    }

    @Test func aFrameAboveTheLimitClosesTheFedConnection() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try Broker(
            configuration: .forTests(listeners: [.unix(path: directory.path + "/broker.sock")]))
        try broker.startStepped()
        let connection = try broker.openFedConnection()
        let tooLarge = FrameHeader(typeID: TestTypes.small, length: UInt32.max).bytes
        #expect(!tooLarge.withUnsafeBytes { connection.feed($0) })
        #expect(!connection.isOpen)
        let reply = arrived(connection.peer)
        try #require(reply.count >= FrameHeader.byteCount)
        let frame = try reply.withUnsafeBytes { raw in
            try ControlFrame.decode(
                typeID: FrameHeader(readingFrom: raw.baseAddress!).typeID,
                payload: UnsafeRawBufferPointer(rebasing: raw[FrameHeader.byteCount...]))
        }
        guard case .error(let error) = frame else {
            Issue.record("expected an ERROR before the close, got \(frame)")
            return
        }
        #expect(error.code == .frameTooLarge)
        _ = await broker.stop()
    }
}
