import Benchmark
import Glibc
import MyceliumBackends
import MyceliumKit

/// What a scenario runs against: malloc/free, the seed port, or a pool, as closures over
/// its own loops. A pool's loops are generic over its type: made from a concrete backend
/// (`ArenaPool`), its inlinable acquire is specialized into them, as in an application that
/// holds the backend by type; made from the registry's `any PoolBackend`, every acquire goes
/// through the protocol, as in the broker.
public struct Subject: Sendable {
    public let name: String
    /// Acquire, write 64 bytes, release, `iterations` times, walking the size mix from
    /// `offset`.
    public let acquireWriteRelease: @Sendable (_ iterations: Int, _ offset: Int) throws -> Void
    /// Acquire a 600-byte buffer, write 64 bytes, hand it to 4 holders, drop them all;
    /// `iterations` times.
    public let fanOut: @Sendable (_ iterations: Int) throws -> Void
    /// Producer here, releases on another thread.
    public let makeHandoff: @Sendable () -> any Handoff
    /// The pool's counters; `nil` for malloc and the seed port.
    public var stats: @Sendable () -> PoolStats? = { nil }

    /// Every subject: malloc, the seed port, the four built-ins through the registry
    /// (`system`, and `mutex-any`, `lockfree-any`, `arena-any`), and the three pooled
    /// backends held by type (`mutex`, `lockfree`, `arena`).
    public static func all() throws -> [Subject] {
        let configuration = PoolConfiguration(plan: Workload.plan)
        let registered = try ["system", "mutex", "lockfree", "arena"].map { name in
            pool(try PoolRegistry.builtIn.make(name, configuration: configuration), name: name == "system" ? name : "\(name)-any")
        }
        return [malloc, seed(SeedPool(classSizes: Workload.plan.classes.map(\.size)))] + registered + [
            pool(try MutexPool(configuration: configuration), name: "mutex"),
            pool(try LockFreePool(configuration: configuration), name: "lockfree"),
            pool(try ArenaPool(configuration: configuration), name: "arena"),
        ]
    }

    /// malloc/free through the Benchmark library's interposer: the baseline of the targets.
    public static let malloc = heap(CountedMalloc(), name: "malloc")

    /// malloc/free of the C library itself, past the Benchmark library's interposer, which
    /// the suite needs for its malloc counts and which, counting, makes malloc about 2x
    /// slower. Not in ``all()``: its mallocs are not counted, so the suite would show 0.
    public static let uncountedMalloc = heap(CLibraryMalloc(), name: "malloc (C library)")

    /// malloc/free of the class size (fan-out: 1024 bytes and a count in front).
    static func heap<Heap: HeapFunctions>(_ heap: Heap, name: String) -> Subject {
        Subject(
            name: name,
            acquireWriteRelease: { iterations, offset in
                for index in 0..<iterations {
                    let memory = heap.allocate(Workload.classSizes[(index &+ offset) & Workload.mask])
                    Workload.writePayload(to: memory)
                    blackHole(memory)
                    heap.free(memory)
                }
            },
            fanOut: { iterations in
                for _ in 0..<iterations {
                    let memory = heap.allocate(16 + 1024)
                    let holders = memory.assumingMemoryBound(to: Int.self)
                    holders.initialize(to: Workload.fanOutHolders)
                    Workload.writePayload(to: memory + 16)
                    for _ in 0..<Workload.fanOutHolders {
                        blackHole(memory)
                        holders.pointee -= 1
                        if holders.pointee == 0 { heap.free(memory) }
                    }
                }
            },
            makeHandoff: {
                ProducerConsumer<UnsafeMutableRawPointer>(
                    produce: { index in
                        let memory = heap.allocate(Workload.classSizes[index & Workload.mask])
                        Workload.writePayload(to: memory)
                        return memory
                    },
                    dispose: { heap.free($0) })
            })
    }

    static func seed(_ seed: SeedPool) -> Subject {
        Subject(
            name: "seed",
            acquireWriteRelease: { iterations, offset in
                for index in 0..<iterations {
                    let buffer = seed.acquire(byteCount: Workload.sizes[(index &+ offset) & Workload.mask])
                    buffer.bytes.withUnsafeMutableBytes { Workload.writePayload(to: $0.baseAddress.unsafelyUnwrapped) }
                    blackHole(buffer)
                }
            },
            fanOut: { iterations in
                for _ in 0..<iterations {
                    let buffer = seed.acquire(byteCount: 600)
                    buffer.bytes.withUnsafeMutableBytes { Workload.writePayload(to: $0.baseAddress.unsafelyUnwrapped) }
                    let holders = [SeedBuffer](repeating: buffer, count: Workload.fanOutHolders)
                    blackHole(holders)
                }
            },
            makeHandoff: {
                ProducerConsumer<SeedBuffer>(
                    produce: { index in
                        let buffer = seed.acquire(byteCount: Workload.sizes[index & Workload.mask])
                        buffer.bytes.withUnsafeMutableBytes { Workload.writePayload(to: $0.baseAddress.unsafelyUnwrapped) }
                        return buffer
                    },
                    dispose: { blackHole($0) })
            })
    }

    static func pool<Pool: PoolBackend>(_ pool: Pool, name: String) -> Subject {
        @Sendable @inline(__always)
        func acquireAndWrite(_ byteCount: Int) throws(PoolError) -> PooledBuffer {
            var buffer = try pool.acquire(byteCount: byteCount)
            buffer.withUnsafeMutableBytes { Workload.writePayload(to: $0.baseAddress.unsafelyUnwrapped) }
            buffer.count = Workload.payloadByteCount
            return buffer
        }
        return Subject(
            name: name,
            acquireWriteRelease: { iterations, offset in
                for index in 0..<iterations {
                    let buffer = try acquireAndWrite(Workload.sizes[(index &+ offset) & Workload.mask])
                    blackHole(buffer.baseAddress)
                }
            },
            fanOut: { iterations in
                for _ in 0..<iterations {
                    let first = try acquireAndWrite(600).share()
                    let second = first.share()
                    let third = first.share()
                    let fourth = first.share()
                    blackHole(second.baseAddress)
                    blackHole(third.baseAddress)
                    blackHole(fourth.baseAddress)
                    blackHole(first.baseAddress)
                }
            },
            makeHandoff: {
                ProducerConsumer<PooledBuffer>(
                    produce: { index in try acquireAndWrite(Workload.sizes[index & Workload.mask]) },
                    dispose: { buffer in _ = consume buffer })
            },
            stats: { pool.stats() })
    }
}
