import Synchronization

/// The bytes a pool may still reserve for regions, shared by all its classes. Touched only
/// when a class grows or is trimmed, never per buffer.
struct MemoryBudget: ~Copyable {
    let limit: Int
    private let reserved = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Reserves `byteCount` bytes if they fit under the limit.
    func tryReserve(_ byteCount: Int) -> Bool {
        var current = reserved.load(ordering: .relaxed)
        while true {
            guard current <= limit - byteCount else { return false }
            let (exchanged, original) = reserved.compareExchange(
                expected: current, desired: current + byteCount, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    func release(_ byteCount: Int) {
        reserved.subtract(byteCount, ordering: .relaxed)
    }
}
