import MyceliumBackends
import MyceliumCore
import Testing

@Suite("Where pooled buffers are placed")
struct BufferPlacementTests {
    /// The broker's receive buffer and output chunks are 64 KiB buffers used in lockstep;
    /// at the same offset in their pages they made the kernel's copies ~2x slower (see
    /// `ClassRegions.stride`).
    @Test(arguments: ["arena", "lockfree", "mutex"])
    func buffersOfAPageMultipleClassStartAtDifferentPageOffsets(name: String) throws {
        let plan = SizeClassPlan(classes: [.init(size: 65536, capacity: 4)])
        let pool = try PoolRegistry.builtIn.make(name, configuration: PoolConfiguration(plan: plan))
        // Held together, so each is a different slot.
        let first = try pool.acquire(byteCount: 65536)
        let second = try pool.acquire(byteCount: 65536)
        let third = try pool.acquire(byteCount: 65536)
        let fourth = try pool.acquire(byteCount: 65536)
        let addresses = [first.baseAddress, second.baseAddress, third.baseAddress, fourth.baseAddress]
        let pageOffsets = Set(addresses.map { UInt(bitPattern: $0) % 4096 })
        #expect(pageOffsets.count == 4, "\(name): page offsets \(pageOffsets.sorted())")
        #expect(pool.stats().classes[0].bytesReserved == 4 * 65536, "\(name): the padding is not budgeted")
    }
}
