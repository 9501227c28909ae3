import MyceliumKit

/// One size class of a ``StackPool``: its regions of buffers, the stack of buffers returned
/// to it, and its counters. Not thread-safe by itself: the pool's mutex guards it.
struct StackClass {
    /// A block of `capacity` buffers followed by their 16-byte control words.
    struct Region {
        let memory: UnsafeMutableRawPointer
        /// Slots handed out at least once; `touched..<capacity` are fresh.
        var touched = 0
        /// Buffers of this region out now.
        var inUse = 0
    }

    let size: Int
    let capacity: Int
    /// Where the control words start in a region, 16-byte aligned.
    let controlOffset: Int
    /// The bytes one region counts against the budget: its buffers, size × capacity, as
    /// Architecture.md defines the budget (the conformance suite checks it).
    let regionBytes: Int
    /// The bytes one region allocates: its buffers and their control words.
    let allocationBytes: Int
    /// `nil` where `trim()` gave a region back; the next growth fills the hole first.
    private var regions: [Region?] = []
    /// Returned buffers, as slots; the last returned is handed out first.
    private var returned: [Int] = []
    /// The region with slots never handed out, if any: a class grows only when no region
    /// has one left, so there is at most one.
    private var freshRegion: Int?
    /// The counters, as `stats()` reports them.
    private(set) var counters: PoolClassStats

    init(_ sizeClass: SizeClassPlan.SizeClass) {
        size = sizeClass.size
        capacity = sizeClass.capacity
        controlOffset = (sizeClass.size * sizeClass.capacity + 15) & ~15
        regionBytes = sizeClass.size * sizeClass.capacity
        allocationBytes = controlOffset + 16 * sizeClass.capacity
        counters = PoolClassStats(size: sizeClass.size, capacity: sizeClass.capacity)
    }

    /// Hands out a returned buffer (a hit) or a fresh one of a reserved region (an
    /// allocation); `nil` when every reserved buffer is out.
    mutating func takeReserved() -> Int? {
        if let slot = returned.popLast() {
            counters.countAcquire(.hit)
            regions[slot / capacity]!.inUse += 1
            return slot
        }
        guard let index = freshRegion else { return nil }
        let slot = index * capacity + regions[index]!.touched
        regions[index]!.touched += 1
        regions[index]!.inUse += 1
        if regions[index]!.touched == capacity { freshRegion = nil }
        counters.countAcquire(.allocation)
        return slot
    }

    /// Reserves one more region, zeroed, and hands out its first buffer.
    mutating func grow() -> Int {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: allocationBytes, alignment: 16)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: allocationBytes)
        let region = Region(memory: memory, touched: 1, inUse: 1)
        let index: Int
        if let hole = regions.firstIndex(where: { $0 == nil }) {
            regions[hole] = region
            index = hole
        } else {
            regions.append(region)
            index = regions.count - 1
        }
        freshRegion = capacity > 1 ? index : nil
        counters.bytesReserved += regionBytes
        counters.countAcquire(.allocation)
        return index * capacity
    }

    /// Counts an acquire served from the heap (the budget is spent).
    mutating func countMiss() {
        counters.countAcquire(.miss)
    }

    /// Takes back the buffer in `slot`, or counts the return of a heap buffer.
    mutating func giveBack(slot: Int, fromHeap: Bool) {
        counters.countReturn()
        if !fromHeap {
            regions[slot / capacity]!.inUse -= 1
            returned.append(slot)
        }
    }

    /// Gives back every region with no buffer out; returns the bytes freed.
    mutating func trim() -> Int {
        let idle = Set(regions.indices.filter { regions[$0]?.inUse == 0 })
        guard !idle.isEmpty else { return 0 }
        returned.removeAll { idle.contains($0 / capacity) }
        if let fresh = freshRegion, idle.contains(fresh) { freshRegion = nil }
        for index in idle {
            regions[index]!.memory.deallocate()
            regions[index] = nil
        }
        while let last = regions.last, last == nil { regions.removeLast() }
        let freed = idle.count * regionBytes
        counters.bytesReserved -= freed
        return freed
    }

    /// The allocation record of the buffer in `slot`.
    func allocation(slot: Int, classIndex: Int) -> PoolAllocation {
        let memory = regions[slot / capacity]!.memory
        let index = slot % capacity
        return PoolAllocation(
            bytes: memory + index * size, capacity: size, control: memory + controlOffset + index * 16,
            token: StackToken(classIndex: classIndex, slot: slot).raw)
    }

    /// Gives every region back, whatever is out: the pool is going away.
    mutating func releaseAll() {
        for region in regions { region?.memory.deallocate() }
        regions = []
        returned = []
        freshRegion = nil
    }
}
