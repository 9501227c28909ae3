import Benchmark
import Glibc
import MyceliumBackends
import MyceliumKit

/// The requests of every scenario: 60 % 100 B, 30 % 600 B, 10 % 3000 B, in a fixed shuffled
/// order, precomputed so the measured loops read one array element per operation (no random
/// numbers, no division) and every subject walks the very same sequence.
enum Workload {
    /// Requests in one pass: a power of two, so a loop wraps around with a mask.
    static let count = 1024
    static let mask = count - 1
    /// The requested sizes, and the class size each falls in (what malloc/free is asked for).
    nonisolated(unsafe) static let sizes: UnsafePointer<Int> = makeSequence { $0 }
    nonisolated(unsafe) static let classSizes: UnsafePointer<Int> = makeSequence(SizeClassPlan.classSize(forPayload:))
    static let plan = SizeClassPlan(payloadSizes: [100, 600, 3000])
    /// 64 bytes written into every buffer.
    nonisolated(unsafe) static let payload: UnsafeRawBufferPointer = {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 16)
        bytes.initializeMemory(as: UInt8.self, repeating: 0x6D)
        return UnsafeRawBufferPointer(bytes)
    }()
    static let fanOutHolders = 4

    /// The mix in a shuffled order that is the same on every run (SplitMix64, fixed seed).
    private static func makeSequence(_ transform: (Int) -> Int) -> UnsafePointer<Int> {
        let small = count * 6 / 10
        let medium = count * 3 / 10
        var requests = Array(repeating: 100, count: small) + Array(repeating: 600, count: medium)
        requests += Array(repeating: 3000, count: count - small - medium)
        var generator = SplitMix64(seed: 0x6D79_6365_6C69_756D)
        requests.shuffle(using: &generator)
        let sequence = UnsafeMutablePointer<Int>.allocate(capacity: count)
        sequence.initialize(from: requests.map(transform), count: count)
        return UnsafePointer(sequence)
    }
}

/// A small deterministic generator for the shuffle.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// What a scenario runs against: plain malloc/free, the seed port, or a registered backend.
enum Subject: Sendable {
    case malloc
    case seed(SeedPool)
    case pool(any PoolBackend)

    var name: String {
        switch self {
        case .malloc: "malloc"
        case .seed: "seed"
        case .pool(let pool): pool.name
        }
    }

    static func all() throws -> [Subject] {
        try [.malloc, .seed(SeedPool(classSizes: Workload.plan.classes.map(\.size)))]
            + ["system", "mutex", "lockfree", "arena"].map {
                .pool(try PoolRegistry.builtIn.make($0, configuration: PoolConfiguration(plan: Workload.plan)))
            }
    }

    /// Acquire, write 64 bytes, release, `iterations` times, walking the size mix.
    func acquireWriteRelease(_ iterations: Int, offset: Int = 0) throws {
        let (sizes, classSizes, payload) = (Workload.sizes, Workload.classSizes, Workload.payload)
        switch self {
        case .malloc:
            for index in 0..<iterations {
                let memory = Glibc.malloc(classSizes[(index &+ offset) & Workload.mask]).unsafelyUnwrapped
                memory.copyMemory(from: payload.baseAddress.unsafelyUnwrapped, byteCount: 64)
                blackHole(memory)
                free(memory)
            }
        case .seed(let seed):
            for index in 0..<iterations {
                let buffer = seed.acquire(byteCount: sizes[(index &+ offset) & Workload.mask])
                buffer.bytes.withUnsafeMutableBytes { $0.copyMemory(from: payload) }
                blackHole(buffer)
            }
        case .pool(let pool):
            for index in 0..<iterations {
                var buffer = try pool.acquire(byteCount: sizes[(index &+ offset) & Workload.mask])
                buffer.append(contentsOf: payload)
                blackHole(buffer.baseAddress)
            }
        }
    }

    /// Acquire a 600-byte buffer, write 64 bytes, hand it to 4 holders, drop them all.
    func fanOut(_ iterations: Int) throws {
        switch self {
        case .malloc:
            for _ in 0..<iterations {
                let memory = Glibc.malloc(16 + 1024).unsafelyUnwrapped
                let holders = memory.assumingMemoryBound(to: Int.self)
                holders.initialize(to: Workload.fanOutHolders)
                (memory + 16).copyMemory(from: Workload.payload.baseAddress.unsafelyUnwrapped, byteCount: 64)
                for _ in 0..<Workload.fanOutHolders {
                    blackHole(memory)
                    holders.pointee -= 1
                    if holders.pointee == 0 { free(memory) }
                }
            }
        case .seed(let seed):
            for _ in 0..<iterations {
                let buffer = seed.acquire(byteCount: 600)
                buffer.bytes.withUnsafeMutableBytes { $0.copyMemory(from: Workload.payload) }
                let holders = [SeedBuffer](repeating: buffer, count: Workload.fanOutHolders)
                blackHole(holders)
            }
        case .pool(let pool):
            for _ in 0..<iterations {
                var buffer = try pool.acquire(byteCount: 600)
                buffer.append(contentsOf: Workload.payload)
                let first = buffer.share()
                let second = first.share()
                let third = first.share()
                let fourth = first.share()
                blackHole(second.baseAddress)
                blackHole(third.baseAddress)
                blackHole(fourth.baseAddress)
                blackHole(first.baseAddress)
            }
        }
    }
}

/// Producer on the calling thread, consumer (releasing) on a worker thread.
final class ProducerConsumer: @unchecked Sendable {
    private let subject: Subject
    private let pooled = HandoffRing<PooledBuffer>(capacity: 256)
    private let seeded = HandoffRing<SeedBuffer>(capacity: 256)
    private let raw = HandoffRing<UnsafeMutableRawPointer>(capacity: 256)
    private var consumer: Worker?

    init(subject: Subject) {
        self.subject = subject
        consumer = Worker { [unowned self] iterations in
            for _ in 0..<iterations {
                switch self.subject {
                case .malloc: free(self.raw.pop())
                case .seed: blackHole(self.seeded.pop())
                case .pool: _ = self.pooled.pop()
                }
            }
        }
    }

    func run(_ iterations: Int) throws {
        let (sizes, classSizes, payload) = (Workload.sizes, Workload.classSizes, Workload.payload)
        consumer?.start(iterations)
        switch subject {
        case .malloc:
            for index in 0..<iterations {
                let memory = Glibc.malloc(classSizes[index & Workload.mask]).unsafelyUnwrapped
                memory.copyMemory(from: payload.baseAddress.unsafelyUnwrapped, byteCount: 64)
                raw.push(memory)
            }
        case .seed(let seed):
            for index in 0..<iterations {
                let buffer = seed.acquire(byteCount: sizes[index & Workload.mask])
                buffer.bytes.withUnsafeMutableBytes { $0.copyMemory(from: payload) }
                seeded.push(buffer)
            }
        case .pool(let pool):
            for index in 0..<iterations {
                var buffer = try pool.acquire(byteCount: sizes[index & Workload.mask])
                buffer.append(contentsOf: payload)
                pooled.push(buffer)
            }
        }
        consumer?.wait()
    }
}
