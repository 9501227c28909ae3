/// What a ``StackPool`` keeps in ``MyceliumKit/PoolAllocation/token``: the class index in the
/// top 16 bits and, below them, the buffer's slot in its class (region × capacity + index in
/// the region), or all ones for a buffer served from the heap.
struct StackToken: Hashable {
    /// The slot value that marks a heap buffer.
    static let heapSlot = (1 << 48) - 1
    /// The most classes a plan may have (the last index is for requests above every class).
    static let maxClassCount = Int(UInt16.max) - 1

    let classIndex: Int
    let slot: Int

    init(classIndex: Int, slot: Int) {
        self.classIndex = classIndex
        self.slot = slot
    }

    init(_ raw: UInt64) {
        classIndex = Int(raw >> 48)
        slot = Int(raw & UInt64(Self.heapSlot))
    }

    var raw: UInt64 { UInt64(classIndex) << 48 | UInt64(slot) }

    var isHeap: Bool { slot == Self.heapSlot }
}
