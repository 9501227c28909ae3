import Glibc
import MyceliumKit
import MyceliumTestSupport
import Testing

/// What a broker logs about its connections, through the configuration's logger.
@Suite struct BrokerLoggingTests {
    /// The client side's address of `client`'s socket, as the broker sees its peer.
    private func localAddress(_ client: TestClient) -> String {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(client.fd, $0, &length) }
        }
        return "127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
    }

    @Test func aSlowConsumerDisconnectNamesTheConnectionItsPeerAndWhatWasPending() async throws {
        let recorder = LogRecorder()
        try await withBroker(.forTests(recordingTo: recorder, maxPending: 64 << 10)) { broker, addresses in
            let stalled = try await TestClient(addresses[0], receiveBufferBytes: 4096)
            try await stalled.send(.hello(Hello(peerName: "stalled-reader")))
            try await stalled.subscribe([TestTypes.bench])
            _ = try await stalled.sync()
            let publisher = try await TestClient(addresses[0])
            let frame = FrameHeader(typeID: TestTypes.bench, length: 1000).bytes + [UInt8](repeating: 1, count: 1000)
            let batch = Array([[UInt8]](repeating: frame, count: 100).joined())
            for _ in 0..<400 where broker.stats().slowConsumers == 0 {
                try await publisher.send(batch)
                _ = try await publisher.sync()
            }
            try #require(broker.stats().slowConsumers == 1, "40 MB did not make the stalled reader a slow consumer")
            let line = try #require(recorder.lines.first { $0.message == "disconnecting a slow consumer" })
            #expect(line.level == .warning)
            #expect(line.metadata["name"] == "stalled-reader")
            #expect(line.metadata["peer"] == "\(localAddress(stalled))")
            #expect(line.metadata["limit"] == "\(64 << 10)")
            let pending = Int(line.metadata["pending"].map { "\($0)" } ?? "") ?? 0
            #expect(pending > 0 && pending <= 64 << 10, "pending \(pending) bytes")
        }
        let messages = recorder.lines.map(\.message)
        #expect(messages.contains("broker started") && messages.contains("broker stopped"))
        #expect(messages.filter { $0 == "connection closed" }.count == 2)
    }

    @Test func anErrorFrameSentNamesItsCodeAndTheConnection() async throws {
        let recorder = LogRecorder()
        var configuration = BrokerConfiguration.forTests()
        configuration.logger = recorder.logger()
        try await withBroker(configuration) { _, addresses in
            let client = try await TestClient(addresses[0])
            try await client.send(.hello(Hello(peerName: "confused")))
            #expect(try await client.readFrame().typeID == ControlFrameType.hello.rawValue)
            try await client.send(.subscribe([4242]))
            _ = try await client.expectError(.unknownTypeID)
            let line = try #require(recorder.lines.first { $0.message == "sending ERROR 2" })
            #expect(line.level == .warning)
            #expect(line.metadata["code"] == "\(WireErrorCode.unknownTypeID)")
            #expect(line.metadata["name"] == "confused")
            #expect(line.metadata["connection"].map { "\($0)".hasPrefix("#") } == true)
        }
    }
}
