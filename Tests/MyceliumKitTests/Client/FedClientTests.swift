@_spi(Fuzzing) import MyceliumKit
import MyceliumTestSupport
import Testing

/// The fuzzing seam of the client (`FedClient`): bytes fed from memory are read, parsed and
/// delivered as the same bytes from a broker's socket are.
@Suite struct FedClientTests {
    @Test func framesFedOneByteAtATimeReachTheStreamAndTheEndEndsIt() async throws {
        let pool = SystemPool(configuration: PoolConfiguration(plan: SizeClassPlan(classes: [])))
        let client = try FedClient(subscribingTo: [TestTypes.small], pool: pool)
        let hello = ControlFrame.hello(Hello(peerName: "broker")).encoded()
        let frames = (0..<3).flatMap { FrameHeader(typeID: TestTypes.small, length: 8).bytes + sequencePayload($0) }
        // One byte per read: every frame straddles reads.
        for byte in hello + frames { #expect([byte].withUnsafeBytes { client.feed($0) } == 1) }
        let received = try await client.stream.collect(3)
        #expect(received.map { sequenceNumber($0.payload) } == [0, 1, 2])

        #expect(client.feed(UnsafeRawBufferPointer(start: nil, count: 0), ended: true) == 0)
        #expect(client.isClosed)
        await #expect(throws: MyceliumClientError.self) {
            for try await _ in client.stream {}
        }
    }

    @Test func aSecondHelloClosesTheFedClient() throws {
        let pool = SystemPool(configuration: PoolConfiguration(plan: SizeClassPlan(classes: [])))
        let client = try FedClient(subscribingTo: [TestTypes.small], pool: pool)
        let hello = ControlFrame.hello(Hello(peerName: "broker")).encoded()
        let twice = hello + hello
        #expect(twice.withUnsafeBytes { client.feed($0) } == twice.count)
        #expect(client.isClosed)
    }
}
