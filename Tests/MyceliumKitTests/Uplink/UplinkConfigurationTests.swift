import MyceliumKit
import MyceliumTestSupport
import Testing

@Suite struct UplinkConfigurationTests {
    private func error(_ change: (inout UplinkConfiguration) -> Void) -> String {
        var configuration = BrokerConfiguration.forTests()
        var uplink = UplinkConfiguration(servers: [NATSURL(host: "127.0.0.1")])
        change(&uplink)
        configuration.uplink = uplink
        do {
            _ = try Broker(configuration: configuration)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func namesEverySettingOutOfRange() {
        #expect(error { _ in } == "no error")
        #expect(error { $0.servers = [] }.hasSuffix("the uplink needs at least one NATS server, e.g. nats://127.0.0.1:4222"))
        #expect(error { $0.bufferBytes = -1 }.hasSuffix("the uplink buffer must not be negative, got -1"))
        #expect(
            error { $0.probeInterval = .zero }.hasSuffix(
                "the uplink probe interval must be positive, got 0.0 seconds; leave it nil to send every frame"))
        #expect(error { $0.probeInterval = nil } == "no error")
        #expect(
            error { $0.pingInterval = .seconds(-1) }.hasSuffix("the uplink ping interval must be positive, got -1.0 seconds"))
        #expect(
            error { $0.types = ["Small", "Trade"] }.hasSuffix(
                "uplink type 'Trade' is not a message type of this broker; known: Small, BenchFrame, Large, Healthy"))
        for prefix in ["", "a..b", "a.>", "with space", ".a"] {
            #expect(
                error { $0.prefix = prefix }.hasSuffix(
                    "uplink prefix '\(prefix)' is not a NATS subject; use dot-separated words without spaces or wildcards, e.g. mycelium"
                ), "prefix '\(prefix)'")
        }
    }
}
