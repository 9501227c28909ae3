import Glibc

/// A value guarded by a `pthread_mutex_t`, with the shape of `Synchronization.Mutex`.
///
/// Why not `Synchronization.Mutex`: on Linux (Swift 6.3.1) it locks with raw futexes, which
/// ThreadSanitizer does not model, so every access under it is reported as a race (a
/// two-thread counter guarded by it reports "Swift access race" and still ends exact). The
/// suite must pass under `--sanitize=thread`, and TSan understands pthread mutexes; their
/// uncontended path is the same single compare-and-swap.
package struct Lock<Value: ~Copyable>: ~Copyable, @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let value: UnsafeMutablePointer<Value>

    /// Creates a lock guarding `initialValue`.
    package init(_ initialValue: consuming Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
        value = .allocate(capacity: 1)
        value.initialize(to: initialValue)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        value.deinitialize(count: 1)
        value.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    @inlinable
    package borrowing func withLock<Result: ~Copyable, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        lock()
        defer { unlock() }
        return try body(&valuePointer.pointee)
    }

    @usableFromInline var valuePointer: UnsafeMutablePointer<Value> { value }
    @usableFromInline func lock() { pthread_mutex_lock(mutex) }
    @usableFromInline func unlock() { pthread_mutex_unlock(mutex) }
}
