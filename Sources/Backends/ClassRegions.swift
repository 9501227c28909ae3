import Glibc
import MyceliumKit
import Synchronization

/// The regions of one size class: blocks of `capacity` slots, each reserved whole from the
/// pool's budget when the class grows and given back whole by ``releaseIdleRegions(_:budget:)``.
///
/// A slot's index is `region number << indexShift | position`, so the lock-free stack can
/// name a slot in 32 bits and find it again with one table load. The table is written only
/// under ``growth``; readers reach an entry only through a slot published after it was set.
struct ClassRegions: ~Copyable {
    /// Bytes before the first slot of a region: its number and a trim tally.
    static let regionHeaderBytes = 64
    /// Regions one class may hold, whatever the budget: keeps the region table at most 8 MiB.
    static let maximumRegions = 1 << 20

    let size: Int
    let capacity: Int
    let stride: Int
    /// Bytes one region reserves, headers included.
    let regionBytes: Int
    let indexShift: Int
    let maxRegions: Int
    let table: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    /// Bytes this class holds now.
    let reserved = Atomic<Int>(0)
    /// Slots that had been handed out and were freed by a trim (for the high-water bound).
    let retiredUsedSlots = Atomic<Int>(0)
    /// Serialises growth and trimming of this class.
    let growth = Lock<Int>(0)

    init(size: Int, capacity: Int, memoryBudget: Int) {
        self.size = size
        self.capacity = capacity
        stride = Slot.headerBytes + (size + 15) & ~15
        regionBytes = Self.regionHeaderBytes + capacity * stride
        indexShift = Int.bitWidth - (capacity - 1).leadingZeroBitCount
        let addressable = Int(UInt32.max) >> indexShift
        maxRegions = max(1, min(memoryBudget / regionBytes, addressable, Self.maximumRegions))
        // calloc: a large table stays untouched (and costs no memory) until regions fill it.
        table = calloc(maxRegions, MemoryLayout<UnsafeMutableRawPointer?>.stride).unsafelyUnwrapped
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
    }

    deinit {
        for number in 0..<maxRegions {
            if let region = table[number] { free(region) }
        }
        free(table)
    }

    /// The slot with this index (its region must be live).
    @inline(__always)
    func slot(at index: UInt32) -> Slot {
        let region = table[Int(truncatingIfNeeded: index >> UInt32(indexShift))].unsafelyUnwrapped
        let position = Int(truncatingIfNeeded: index & (UInt32(1) << UInt32(indexShift) &- 1))
        return Slot(header: region + Self.regionHeaderBytes + position * stride)
    }

    /// The `position`th slot of a region returned by ``grow(budget:)``.
    @inline(__always)
    func slot(in region: UnsafeMutableRawPointer, at position: Int) -> Slot {
        Slot(header: region + Self.regionHeaderBytes + position * stride)
    }

    /// Adds one region if the budget allows; `nil` when it does not (or no region number is
    /// left). The caller threads the region's slots into its free list.
    func grow(budget: borrowing MemoryBudget) -> UnsafeMutableRawPointer? {
        nonisolated(unsafe) var grown: UnsafeMutableRawPointer?
        growth.withLock { hint in
            guard
                let number = (hint..<maxRegions).first(where: { table[$0] == nil })
                    ?? (0..<hint).first(where: { table[$0] == nil })
            else { return }
            guard budget.tryReserve(regionBytes) else { return }
            guard let region = calloc(1, regionBytes) else {
                budget.release(regionBytes)
                return
            }
            region.storeBytes(of: number, as: Int.self)
            for position in 0..<capacity {
                slot(in: region, at: position).index = UInt32(truncatingIfNeeded: number << indexShift | position)
            }
            table[number] = region
            hint = number + 1
            reserved.add(regionBytes, ordering: .relaxed)
            grown = region
        }
        return grown
    }

    /// Frees every region all of whose slots are in `freeSlots`, and returns the slots that
    /// stay. `freeSlots` must hold every free slot of the regions it touches that the caller
    /// owns, and nobody may take slots of this class from elsewhere meanwhile.
    func releaseIdleRegions(_ freeSlots: [Slot], budget: borrowing MemoryBudget) -> [Slot] {
        growth.withLock { hint -> [Slot] in
            var tally: [Int: Int] = [:]
            for slot in freeSlots { tally[regionNumber(of: slot), default: 0] += 1 }
            let idle = Set(tally.filter { $0.value == capacity }.keys)
            guard !idle.isEmpty else { return freeSlots }
            var retiredUsed = 0
            var kept: [Slot] = []
            for slot in freeSlots {
                if idle.contains(regionNumber(of: slot)) {
                    if slot.wasUsed { retiredUsed += 1 }
                } else {
                    kept.append(slot)
                }
            }
            for number in idle {
                free(table[number])
                table[number] = nil
                budget.release(regionBytes)
            }
            hint = idle.min() ?? hint
            reserved.subtract(idle.count * regionBytes, ordering: .relaxed)
            retiredUsedSlots.add(retiredUsed, ordering: .relaxed)
            return kept
        }
    }

    @inline(__always)
    private func regionNumber(of slot: Slot) -> Int { Int(truncatingIfNeeded: slot.index >> UInt32(indexShift)) }
}
