package import MyceliumKit
import Testing

extension Broker {
    /// Waits (at most `timeout`) until `condition` holds for the stats and returns them.
    ///
    /// - Throws: ``TimedOut`` with the last stats when it does not hold in time.
    @discardableResult
    package func waitForStats(timeout: Duration = .seconds(20), _ condition: (BrokerStats) -> Bool) async throws
        -> BrokerStats
    {
        var last = stats()
        try await waitUntil("broker stats as expected", timeout: timeout, detail: "\(last)") {
            last = stats()
            return condition(last)
        }
        return last
    }
}

/// Starts a broker, runs `body` with it and its bound addresses, stops it and checks that
/// every buffer went back to the pool and every connection was closed.
package func withBroker(
    _ configuration: BrokerConfiguration, _ body: (Broker, [SocketAddress]) async throws -> Void
) async throws {
    let broker = try Broker(configuration: configuration)
    let addresses = try broker.start()
    do {
        try await body(broker, addresses)
    } catch {
        _ = await broker.stop()
        throw error
    }
    let summary = await broker.stop()
    #expect(summary.stats.pool.inUse == 0, "buffers still out after stop: \(summary.stats.pool)")
    #expect(summary.stats.connections == 0)
}
