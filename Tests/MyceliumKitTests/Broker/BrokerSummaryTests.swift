import Testing

@testable import MyceliumKit

@Suite struct BrokerSummaryTests {
    private func summary(connections: Int, acquires: Int, drained: Bool = true) -> BrokerSummary {
        let pool = PoolStats(
            name: "mutex", classes: [PoolClassStats(size: 64, capacity: 8, acquires: acquires, hits: acquires)],
            unclassified: PoolClassStats(size: 0, capacity: 0))
        return BrokerSummary(
            stats: BrokerStats(pool: pool, connections: 0, messagesIn: 3, messagesOut: 6, slowConsumers: 1, dropped: 2),
            connectionsAtStop: connections, drained: drained)
    }

    @Test func oneLineWithCountsInTheirSingularAndPlural() {
        #expect(
            summary(connections: 1, acquires: 0).description
                == "stopped: 1 connection closed, messages in=3 out=6, pool mutex no acquires yet (in use 0), slow consumers 1, dropped 2"
        )
        #expect(
            summary(connections: 2, acquires: 4, drained: false).description
                == "stopped: 2 connections closed (drain timed out), messages in=3 out=6, pool mutex hit rate 100.0% (in use 0), slow consumers 1, dropped 2"
        )
    }
}
