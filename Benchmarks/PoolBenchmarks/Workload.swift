import Benchmark
import Glibc
import MyceliumBackends
import MyceliumKit

/// The requests of every scenario: 60 % 100 B, 30 % 600 B, 10 % 3000 B, interleaved.
enum Workload {
    static let sizes: [Int] = (0..<100).map { index in
        switch index % 10 {
        case 0...5: 100
        case 6...8: 600
        default: 3000
        }
    }
    static let classSizes = sizes.map { SizeClassPlan.classSize(forPayload: $0) }
    static let plan = SizeClassPlan(payloadSizes: sizes)
    /// 64 bytes written into every buffer.
    nonisolated(unsafe) static let payload: UnsafeRawBufferPointer = {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 16)
        bytes.initializeMemory(as: UInt8.self, repeating: 0x6D)
        return UnsafeRawBufferPointer(bytes)
    }()
    static let fanOutHolders = 4
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
        switch self {
        case .malloc:
            for index in 0..<iterations {
                let memory = Glibc.malloc(Workload.classSizes[(index + offset) % 100]).unsafelyUnwrapped
                memory.copyMemory(from: Workload.payload.baseAddress.unsafelyUnwrapped, byteCount: 64)
                blackHole(memory)
                free(memory)
            }
        case .seed(let seed):
            for index in 0..<iterations {
                let buffer = seed.acquire(byteCount: Workload.sizes[(index + offset) % 100])
                buffer.bytes.withUnsafeMutableBytes { $0.copyMemory(from: Workload.payload) }
                blackHole(buffer)
            }
        case .pool(let pool):
            for index in 0..<iterations {
                var buffer = try pool.acquire(byteCount: Workload.sizes[(index + offset) % 100])
                buffer.append(contentsOf: Workload.payload)
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
        consumer?.start(iterations)
        switch subject {
        case .malloc:
            for index in 0..<iterations {
                let memory = Glibc.malloc(Workload.classSizes[index % 100]).unsafelyUnwrapped
                memory.copyMemory(from: Workload.payload.baseAddress.unsafelyUnwrapped, byteCount: 64)
                raw.push(memory)
            }
        case .seed(let seed):
            for index in 0..<iterations {
                let buffer = seed.acquire(byteCount: Workload.sizes[index % 100])
                buffer.bytes.withUnsafeMutableBytes { $0.copyMemory(from: Workload.payload) }
                seeded.push(buffer)
            }
        case .pool(let pool):
            for index in 0..<iterations {
                var buffer = try pool.acquire(byteCount: Workload.sizes[index % 100])
                buffer.append(contentsOf: Workload.payload)
                pooled.push(buffer)
            }
        }
        consumer?.wait()
    }
}
