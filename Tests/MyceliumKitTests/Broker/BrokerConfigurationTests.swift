import MyceliumKit
import MyceliumTestSupport
import Testing

/// A configuration out of range is refused when the broker is made, naming the setting.
@Suite struct BrokerConfigurationTests {
    /// A mutation of the test configuration and the message it must be refused with.
    struct Case: Sendable, CustomTestStringConvertible {
        let change: @Sendable (inout BrokerConfiguration) -> Void
        let message: String
        var testDescription: String { message }
    }

    @Test(arguments: [
        Case(change: { $0.loops = 0 }, message: "loops must be 1-64, got 0"),
        Case(change: { $0.maxPayload = 0 }, message: "max payload must be 1 B to 4 GiB, got 0"),
        Case(change: { $0.maxPending = 0 }, message: "max pending must be positive, got 0"),
        Case(change: { $0.engineBufferSize = 1024 }, message: "engine buffer size 1024 must be at least 4 KiB"),
        Case(
            change: { $0.receiveBufferSize = 2048 },
            message: "receive buffer size 2048 must be at least 4 KiB and hold a whole control frame"),
        Case(
            change: {
                $0.receiveBufferSize = 8192
                $0.copyThreshold = 8187
            },
            message:
                "copy threshold must be 0 to 8186 bytes (a copied frame is parsed in the 8192-byte receive buffer), got 8187"),
    ])
    func aSettingOutOfRangeIsNamed(_ invalid: Case) throws {
        var configuration = BrokerConfiguration.forTests()
        invalid.change(&configuration)
        let error = try #require(throws: BrokerError.self) { _ = try Broker(configuration: configuration) }
        #expect(error.code == .invalidConfiguration)
        #expect("\(error)" == "invalid broker configuration: \(invalid.message)")
    }

    @Test func theReceiveBufferHasAClassOfItsOwnBesideTheOutputChunks() throws {
        var configuration = BrokerConfiguration.forTests()
        #expect(configuration.engineClasses.map(\.size) == [64 << 10, 256 << 10])
        #expect(configuration.sizeClassPlan.classes.contains { $0.size == 256 << 10 && $0.capacity == 1 })
        // Both the same size: one class.
        configuration.receiveBufferSize = configuration.engineBufferSize
        #expect(configuration.engineClasses.map(\.size) == [64 << 10])
        // A copy threshold up to the receive buffer less a header is taken.
        configuration.receiveBufferSize = 256 << 10
        configuration.copyThreshold = (256 << 10) - 6
        _ = try Broker(configuration: configuration)
    }

    @Test func aPoolMadeByNameZeroesReturnedBuffersOnlyWhenAsked() throws {
        var configuration = BrokerConfiguration.forTests()
        #expect(try Broker(configuration: configuration).pool.configuration.zeroesOnRelease == false)
        configuration.zeroesReturnedBuffers = true
        #expect(try Broker(configuration: configuration).pool.configuration.zeroesOnRelease)
    }
}
