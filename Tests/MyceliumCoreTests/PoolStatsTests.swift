import MyceliumCore
import Testing

@Suite struct PoolStatsTests {
    private func stats(acquires: Int, hits: Int) -> PoolStats {
        PoolStats(
            name: "arena",
            classes: [PoolClassStats(size: 64, capacity: 8, acquires: acquires, allocations: acquires - hits, hits: hits)],
            unclassified: PoolClassStats(size: 0, capacity: 0))
    }

    @Test func aPoolThatHandedOutNothingSaysSoInsteadOfARate() {
        #expect(stats(acquires: 0, hits: 0).hitRateText == "no acquires yet")
        #expect(stats(acquires: 0, hits: 0).hitRate == 1.0)
    }

    @Test func theHitRateIsAPercentageWithTwoDecimals() {
        #expect(stats(acquires: 4, hits: 3).hitRateText == "hit rate 75.0%")
        #expect(stats(acquires: 3, hits: 2).hitRateText == "hit rate 66.67%")
        #expect(stats(acquires: 5, hits: 0).hitRateText == "hit rate 0.0%")
    }
}
