import MyceliumCore
import Testing

@Suite struct SizeClassPlanTests {
    @Test(arguments: [
        (1, 128), (25, 128), (128, 128), (129, 256), (256, 256), (257, 512), (1024, 1024), (1025, 2048), (65_536, 65_536),
        (65_537, 131_072),
    ])
    func classSizeIsNextPowerOfTwoAtLeast128(payload: Int, expected: Int) {
        #expect(SizeClassPlan.classSize(forPayload: payload) == expected)
    }

    @Test func capacityIs64KiBOverSizeAndAtLeastOne() {
        #expect(SizeClassPlan.defaultCapacity(forClassSize: 128) == 512)
        #expect(SizeClassPlan.defaultCapacity(forClassSize: 4096) == 16)
        #expect(SizeClassPlan.defaultCapacity(forClassSize: 65_536) == 1)
        #expect(SizeClassPlan.defaultCapacity(forClassSize: 131_072) == 1)
    }

    @Test func derivedPlanMergesPayloadsOfOneClass() {
        let plan = SizeClassPlan(payloadSizes: [25, 100, 600, 3000, 1024])
        #expect(plan.classes.map(\.size) == [128, 1024, 4096])
        #expect(plan.classes.map(\.capacity) == [512, 64, 16])
    }

    @Test func classIndexPicksSmallestClassThatHoldsTheBytes() {
        let plan = SizeClassPlan(payloadSizes: [100, 600, 3000])
        #expect(plan.classIndex(forByteCount: 1) == 0)
        #expect(plan.classIndex(forByteCount: 128) == 0)
        #expect(plan.classIndex(forByteCount: 129) == 1)
        #expect(plan.classIndex(forByteCount: 4096) == 2)
        #expect(plan.classIndex(forByteCount: 4097) == nil)
    }

    @Test func addingKeepsOrderAndLargerCapacity() {
        let plan = SizeClassPlan(payloadSizes: [100]).adding([.init(size: 65_536, capacity: 8), .init(size: 128, capacity: 4)])
        #expect(plan.classes.map(\.size) == [128, 65_536])
        #expect(plan.classes.map(\.capacity) == [512, 8])
    }
}
