/// Raw storage that moves `~Copyable` handles to another thread: arrays cannot hold them,
/// and an escaping closure cannot capture one.
struct HandleSlots<Handle: ~Copyable>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Handle>
    let count: Int

    init(count: Int) {
        base = .allocate(capacity: count)
        self.count = count
    }

    func put(_ handle: consuming Handle, at index: Int) {
        (base + index).initialize(to: handle)
    }

    func take(at index: Int) -> Handle {
        (base + index).move()
    }

    /// Frees the storage; every slot must be empty.
    func deallocate() {
        base.deallocate()
    }
}

/// Ends a handle's life here (its `deinit` returns it to the pool).
func release<Handle: ~Copyable>(_ handle: consuming Handle) {}
