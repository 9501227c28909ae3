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
    /// The bytes written into every buffer.
    static let payloadByteCount = 64
    nonisolated(unsafe) static let payload: UnsafeRawPointer = {
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: payloadByteCount, alignment: 16)
        bytes.initializeMemory(as: UInt8.self, repeating: 0x6D, count: payloadByteCount)
        return UnsafeRawPointer(bytes)
    }()
    static let fanOutHolders = 4

    /// Writes the payload at `destination`: the same fixed-size copy for every subject, so
    /// none pays for a general-purpose `memcpy` call the others do not.
    @inline(__always)
    static func writePayload(to destination: UnsafeMutableRawPointer) {
        destination.copyMemory(from: payload, byteCount: payloadByteCount)
    }

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
