public import MyceliumCore

extension PoolRegistry {
    /// A registry holding the built-in backends: `arena`, `lockfree`, `mutex` and `system`.
    public static var builtIn: PoolRegistry {
        var registry = PoolRegistry()
        do {
            try registry.register(
                ArenaPool.registeredName,
                description:
                    "per-thread sub-arenas, no atomics on the owner's path; fastest when each event loop releases what it acquires"
            ) {
                try ArenaPool(configuration: $0)
            }
            try registry.register(
                LockFreePool.registeredName,
                description: "lock-free stack per size class; even speed when buffers are often released on other threads"
            ) {
                try LockFreePool(configuration: $0)
            }
            try registry.register(
                MutexPool.registeredName,
                description: "a mutex per size class with exact stats; simple and predictable under light contention"
            ) {
                try MutexPool(configuration: $0)
            }
            try registry.register(
                SystemPool.registeredName,
                description: "no pooling: malloc/free per buffer; the baseline, and the one to run under AddressSanitizer"
            ) {
                SystemPool(configuration: $0)
            }
        } catch {
            preconditionFailure("built-in pool names collide: \(error)")
        }
        return registry
    }
}
