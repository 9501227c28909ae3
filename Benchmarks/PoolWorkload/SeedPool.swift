import Foundation

/// A faithful Swift port of the seed plan's pool, the one users would otherwise write: a
/// lock around a dictionary of `[[UInt8]]` free lists, a second lock for stats, a scan of
/// the keys for the class, full re-zeroing on release, and a class handle that returns its
/// bytes in `deinit`. It exists only here, as the baseline the backends must beat by 30x.
final class SeedPool: @unchecked Sendable {
    private let lock = NSLock()
    private var freeLists: [Int: [[UInt8]]]
    private let statsLock = NSLock()
    private var acquires = 0
    private var returns = 0
    private var allocations = 0

    init(classSizes: [Int]) {
        freeLists = Dictionary(uniqueKeysWithValues: classSizes.map { ($0, []) })
    }

    func acquire(byteCount: Int) -> SeedBuffer {
        lock.lock()
        let classSize = freeLists.keys.sorted().first { $0 >= byteCount } ?? byteCount
        let reused = freeLists[classSize]?.popLast()
        lock.unlock()
        statsLock.lock()
        acquires += 1
        if reused == nil { allocations += 1 }
        statsLock.unlock()
        return SeedBuffer(pool: self, classSize: classSize, bytes: reused ?? [UInt8](repeating: 0, count: classSize))
    }

    fileprivate func release(_ bytes: [UInt8], classSize: Int) {
        var bytes = bytes
        for index in bytes.indices { bytes[index] = 0 }
        lock.lock()
        freeLists[classSize, default: []].append(bytes)
        lock.unlock()
        statsLock.lock()
        returns += 1
        statsLock.unlock()
    }

    /// The seed plan's hit rate: `(acquires - allocations) / acquires`.
    var hitRate: Double {
        statsLock.lock()
        defer { statsLock.unlock() }
        return acquires == 0 ? 1 : Double(acquires - allocations) / Double(acquires)
    }
}

/// The seed plan's buffer handle: returns its bytes to the pool when the last reference goes.
final class SeedBuffer: @unchecked Sendable {
    private let pool: SeedPool
    let classSize: Int
    var bytes: [UInt8]

    init(pool: SeedPool, classSize: Int, bytes: [UInt8]) {
        self.pool = pool
        self.classSize = classSize
        self.bytes = bytes
    }

    deinit { pool.release(bytes, classSize: classSize) }
}
