import Logging
import MetricsTestKit
import MyceliumKit
import MyceliumTestSupport
import Testing

@Suite struct BrokerMetricsTests {
    /// Asks until `condition` holds for the broker's metrics (at most 20 s).
    private func metrics(_ broker: Broker, until condition: (BrokerMetrics) -> Bool) async throws -> BrokerMetrics {
        try await eventually("metrics as expected", { await broker.metrics() }, until: condition)
    }

    /// SUBSCRIBE (6 + 2 bytes) and the PING that confirms it (6 + 8).
    private static let subscribeBytes = 8 + 14
    private static let pongBytes = 14
    private static let frameBytes = 6 + 40

    @Test func countEveryFrameAndByteAndKeepTheTotalsAfterConnectionsClose() async throws {
        var configuration = BrokerConfiguration.forTests()
        configuration.loops = 2
        try await withBroker(configuration) { broker, addresses in
            do {
                let subscribers = try await TestClient.connect(2, to: addresses[0])
                for subscriber in subscribers { try await subscriber.subscribe([TestTypes.small]) }
                let publisher = try await TestClient(addresses[0])
                let payload = [UInt8](repeating: 3, count: 40)
                for _ in 0..<5 { try await publisher.send(typeID: TestTypes.small, payload: payload) }
                for subscriber in subscribers {
                    for _ in 0..<5 { #expect(try await subscriber.readFrame().payload == payload) }
                }
                let open = try await metrics(broker) {
                    $0.messagesDelivered == 10 && $0.bytesSent == 2 * (Self.pongBytes + 5 * Self.frameBytes)
                }
                #expect(open.connections == 3 && open.connectionsOpened == 3 && open.subscriptions == 2)
                #expect(open.messagesReceived == 5)
                #expect(open.bytesReceived == 2 * Self.subscribeBytes + 5 * Self.frameBytes)
                #expect(open.pendingBytes == 0 && open.slowConsumers == 0)
                #expect(open.version == MyceliumVersion.current)
                #expect(open.residentMemoryBytes > 1 << 20 && open.openFileDescriptors > 3)
            }
            let closed = try await metrics(broker) { $0.connections == 0 && $0.connectionsClosed.peer == 3 }
            #expect(closed.messagesReceived == 5 && closed.messagesDelivered == 10, "totals survive the connections")
            #expect(closed.bytesReceived == 2 * Self.subscribeBytes + 5 * Self.frameBytes)
            #expect(closed.bytesSent == 2 * (Self.pongBytes + 5 * Self.frameBytes))
            #expect(closed.connectionsOpened == 3 && closed.subscriptions == 0)
            #expect(closed.connectionsClosed == BrokerMetrics.ClosedConnections(peer: 3))
        }
    }

    @Test func closesAreCountedByReason() async throws {
        var configuration = BrokerConfiguration.forTests()
        configuration.maxConnections = 1
        try await withBroker(configuration) { broker, addresses in
            let client = try await TestClient(addresses[0])
            let refused = try await TestClient(addresses[0])
            _ = try await refused.expectError(.shuttingDown)
            try await client.send(FrameHeader(typeID: TestTypes.large, length: 5 << 20).bytes)
            _ = try await client.expectError(.frameTooLarge)
            let after = try await metrics(broker) { $0.connections == 0 && $0.connectionsClosed.protocolError == 1 }
            #expect(after.connectionsClosed == BrokerMetrics.ClosedConnections(protocolError: 1, refused: 1))
            #expect(after.connectionsOpened == 1)
        }
    }

    @Test func reportsIntoSwiftMetricsCountersByTheirGrowth() async throws {
        try await withBroker(.forTests()) { broker, addresses in
            let factory = TestMetrics()
            let subscriber = try await TestClient(addresses[0])
            try await subscriber.subscribe([TestTypes.small])
            let publisher = try await TestClient(addresses[0])
            for _ in 0..<5 { try await publisher.send(typeID: TestTypes.small, payload: [1]) }
            _ = try await metrics(broker) { $0.messagesDelivered == 5 }
            await broker.reportMetrics(to: factory)
            for _ in 0..<3 { try await publisher.send(typeID: TestTypes.small, payload: [1]) }
            _ = try await metrics(broker) { $0.messagesDelivered == 8 }
            await broker.reportMetrics(to: factory)

            let received = try factory.expectCounter("mycelium_messages_received_total")
            #expect(received.values == [5, 3] && received.totalValue == 8)
            #expect(try factory.expectCounter("mycelium_messages_delivered_total").totalValue == 8)
            #expect(try factory.expectGauge("mycelium_connections").lastValue == 2)
            #expect(try factory.expectGauge("mycelium_subscriptions").lastValue == 1)
            #expect(try factory.expectGauge("mycelium_build_info", [("version", MyceliumVersion.current)]).lastValue == 1)
            let acquires = try factory.expectCounter("mycelium_pool_acquires_total", [("class", "65536")])
            #expect(acquires.totalValue > 0, "receive buffers and output chunks come from the 64 KiB class")
        }
    }
}
