import Glibc
import MyceliumCore
import Synchronization

/// The regions of one size class. A region is `capacity` buffers, `stride` bytes apart,
/// reserved whole from the pool's budget when the class grows and given back whole by
/// ``releaseIdleRegions(_:hint:budget:)``; the budget and ``reserved`` count exactly the
/// buffer bytes (`size × capacity` for every class size that is a multiple of 16, as
/// ``MyceliumKit/SizeClassPlan/SizeClass/regionBytes`` says), not the padding between them.
///
/// Each region number also has an array of slot headers (free-list link, index, flags,
/// control memory) outside the buffers. Headers are made the first time a number is used
/// and kept until the pool dies, so a lock-free popper that read a stale top can always
/// read that slot's link, even after ``releaseIdleRegions(_:hint:budget:)`` freed its
/// buffers: its compare-exchange then fails on the tag.
///
/// A slot's index is `region number << indexShift | position`, so the lock-free stack can
/// name a slot in 32 bits and find it again with one table load. Growth and trimming run
/// under ``growth`` (its value: the lowest region number that may be free); readers reach
/// a header array only through a slot published after it was set.
@usableFromInline
struct ClassRegions: ~Copyable {
    /// Regions one class may hold, whatever the budget: keeps the tables at most 16 MiB.
    static let maximumRegions = 1 << 20

    let size: Int
    @usableFromInline let capacity: Int
    /// Bytes from one buffer to the next: `size` rounded up to 16, so every buffer is 16-byte
    /// aligned, and one cache line more when that is a multiple of the 4 KiB page. Buffers a
    /// page-multiple apart start at the same offset in their pages, and the broker used its
    /// 64 KiB receive buffer and output chunks (then one class) in lockstep: so placed, the
    /// kernel's copy into the receive buffer took ~30 % of the broker's perf samples in slow runs (12 % with the
    /// earlier layout), and TCP 1→1 fell from 10.0 to 6.4 M msgs/s (median of 18 runs; 8.1
    /// with the extra line).
    let stride: Int
    /// Buffer bytes one region reserves from the budget.
    let regionBytes: Int
    /// Bytes one region allocates: its buffers and the padding between them.
    private let allocatedBytes: Int
    @usableFromInline let indexShift: Int
    let maxRegions: Int
    /// Per region number: its slot headers (kept once made) and its buffers (`nil` when free).
    @usableFromInline let headerTable: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    let bufferTable: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    /// Bytes this class holds now.
    let reserved = Atomic<Int>(0)
    /// Slots that had been handed out and were freed by a trim (for the high-water bound).
    let retiredUsedSlots = Atomic<Int>(0)
    /// Serialises growth and trimming of this class.
    let growth = Lock<Int>(0)

    init(size: Int, capacity: Int, memoryBudget: Int) {
        self.size = size
        self.capacity = capacity
        let bufferBytes = (size + 15) & ~15
        stride = bufferBytes % 4096 == 0 ? bufferBytes + 64 : bufferBytes
        regionBytes = capacity * bufferBytes
        allocatedBytes = capacity * stride
        indexShift = Int.bitWidth - (capacity - 1).leadingZeroBitCount
        let addressable = Int(UInt32.max) >> indexShift
        maxRegions = max(1, min(memoryBudget / regionBytes, addressable, Self.maximumRegions))
        // calloc: a large table stays untouched (and costs no memory) until regions fill it.
        headerTable = calloc(maxRegions, MemoryLayout<UnsafeMutableRawPointer?>.stride).unsafelyUnwrapped
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        bufferTable = calloc(maxRegions, MemoryLayout<UnsafeMutableRawPointer?>.stride).unsafelyUnwrapped
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
    }

    deinit {
        for number in 0..<maxRegions {
            if let headers = headerTable[number] { free(headers) }
            if let buffers = bufferTable[number] { Self.unmap(buffers, byteCount: allocatedBytes) }
        }
        free(headerTable)
        free(bufferTable)
    }

    /// The slot with this index; its region number was in use at some time.
    @inlinable @inline(__always)
    func slot(at index: UInt32) -> Slot {
        // Masking shifts: `indexShift` is below 32 by construction, and the checked ones
        // cost a third of a lock-free pop.
        let shift = UInt32(truncatingIfNeeded: indexShift)
        let headers = headerTable[Int(truncatingIfNeeded: index &>> shift)].unsafelyUnwrapped
        let position = Int(truncatingIfNeeded: index & (UInt32(1) &<< shift &- 1))
        return Slot(header: headers + position &* Slot.headerBytes)
    }

    /// The `position`th slot of the region numbered `number`.
    @inline(__always)
    func slot(inRegion number: Int, at position: Int) -> Slot {
        Slot(header: headerTable[number].unsafelyUnwrapped + position &* Slot.headerBytes)
    }

    /// Adds one region if the budget allows and returns its number; `nil` when it does not
    /// (or no region number is left). Its slots are fresh and unlinked: the caller threads
    /// them into its free list. Call under ``growth``, with its value as `hint`.
    func grow(hint: inout Int, budget: borrowing MemoryBudget) -> Int? {
        guard
            let number = (hint..<maxRegions).first(where: { bufferTable[$0] == nil })
                ?? (0..<hint).first(where: { bufferTable[$0] == nil })
        else { return nil }
        guard budget.tryReserve(regionBytes) else { return nil }
        guard let buffers = Self.map(byteCount: allocatedBytes) else {
            budget.release(regionBytes)
            return nil
        }
        // Headers of a number used before stay in place (a stale lock-free reader may be
        // reading one of their links): only a number used for the first time gets new ones.
        guard let headers = headerTable[number] ?? calloc(capacity, Slot.headerBytes) else {
            Self.unmap(buffers, byteCount: allocatedBytes)
            budget.release(regionBytes)
            return nil
        }
        for position in 0..<capacity {
            Slot(header: headers + position * Slot.headerBytes).prepare(
                index: UInt32(truncatingIfNeeded: number << indexShift | position), bytes: buffers + position * stride)
        }
        if headerTable[number] == nil { headerTable[number] = headers }
        bufferTable[number] = buffers
        hint = number + 1
        reserved.add(regionBytes, ordering: .relaxed)
        return number
    }

    /// Frees the buffers of every region all of whose slots are in `freeSlots`, and returns
    /// the slots that stay. `freeSlots` must hold every free slot of the regions it touches,
    /// and nobody may take slots of this class from elsewhere meanwhile. Call under
    /// ``growth``, with its value as `hint`.
    func releaseIdleRegions(_ freeSlots: [Slot], hint: inout Int, budget: borrowing MemoryBudget) -> [Slot] {
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
            Self.unmap(bufferTable[number].unsafelyUnwrapped, byteCount: allocatedBytes)
            bufferTable[number] = nil
            budget.release(regionBytes)
        }
        hint = min(hint, idle.min() ?? hint)
        reserved.subtract(idle.count * regionBytes, ordering: .relaxed)
        retiredUsedSlots.add(retiredUsed, ordering: .relaxed)
        return kept
    }

    /// Zeroed memory for one region's buffers, mapped on its own rather than taken from
    /// malloc, so that a trim gives it back to the system at once: once freeing a mapped
    /// block has raised glibc's mapping threshold, it serves blocks of this size from its
    /// heaps, whose freed memory stays resident.
    private static func map(byteCount: Int) -> UnsafeMutableRawPointer? {
        let address = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        return address == MAP_FAILED ? nil : address
    }

    private static func unmap(_ buffers: UnsafeMutableRawPointer, byteCount: Int) {
        munmap(buffers, byteCount)
    }

    @inline(__always)
    private func regionNumber(of slot: Slot) -> Int { Int(truncatingIfNeeded: slot.index >> UInt32(indexShift)) }
}
