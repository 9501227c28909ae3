import Foundation
import MyceliumBackends
import MyceliumContracts
import MyceliumKit

/// An embedded broker on a Unix socket and a client publishing `Trade`s to it: raw (the
/// encoded bytes with `publish(typeID:payload:)`) or typed (`publish(_:)` of the value).
final class SocketPublisher: @unchecked Sendable {
    private let typed: Bool
    private let payload: [UInt8]
    private var directory: String?
    private var broker: Broker?
    private var client: MyceliumClient?

    init(typed: Bool) {
        self.typed = typed
        var bytes = [UInt8](repeating: 0, count: Trade.payloadSize)
        bytes.withUnsafeMutableBytes { BundledTrade.sample.encode(into: $0) }
        payload = bytes
    }

    func start() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mycelium-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let socket = directory.appendingPathComponent("broker.sock").path
        var configuration = BrokerConfiguration(messageTypes: Contracts.messageTypes, pool: .named("arena", in: .builtIn))
        configuration.listeners = [.unix(path: socket)]
        let broker = try Broker(configuration: configuration)
        _ = try broker.start()
        client = try await MyceliumClient.connect(to: .unix(path: socket), name: "bench")
        self.broker = broker
        self.directory = directory.path
    }

    func stop() async {
        try? await client?.close()
        client = nil
        _ = await broker?.stop()
        broker = nil
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Publishes `count` Trades, then waits until the broker has handled them.
    func publish(_ count: Int) async throws {
        guard let client else { return }
        if typed {
            for _ in 0..<count { try await client.publish(BundledTrade.sample) }
        } else {
            for _ in 0..<count { try await client.publish(typeID: Trade.typeID, payload: payload) }
        }
        try await client.flush()
    }
}
