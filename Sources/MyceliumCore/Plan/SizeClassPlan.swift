/// The buffer size classes a pool serves, in ascending size, each with the number of
/// buffers in its first region.
///
/// A plan is usually derived from a contract catalog (`ContractStore` does this), but a
/// library user can build one by hand:
///
/// ```swift
/// let plan = SizeClassPlan(payloadSizes: [25, 600, 3000])   // classes 128, 1024, 4096
/// let custom = SizeClassPlan(classes: [.init(size: 256, capacity: 1024)])
/// ```
public struct SizeClassPlan: Sendable, Hashable {
    /// One size class: buffers of `size` bytes, `capacity` of them per region.
    public struct SizeClass: Sendable, Hashable {
        /// Bytes in each buffer of this class.
        public let size: Int
        /// Buffers in one region of this class (the first region, and each one grown after it).
        public let capacity: Int

        /// Creates a class of `size`-byte buffers, `capacity` per region.
        ///
        /// - Precondition: `size > 0` and `capacity > 0`.
        public init(size: Int, capacity: Int) {
            precondition(size > 0, "a size class needs a positive size, got \(size)")
            precondition(capacity > 0, "a size class needs a positive capacity, got \(capacity)")
            self.size = size
            self.capacity = capacity
        }

        /// Bytes one region of this class reserves: `size * capacity`.
        public var regionBytes: Int { size * capacity }
    }

    /// The smallest class a derived plan uses, in bytes.
    public static let minimumClassSize = 128
    /// The bytes a derived class's first region aims for: capacity = this / class size.
    public static let regionTargetBytes = 65_536

    /// The classes in ascending size, without duplicate sizes.
    public let classes: [SizeClass]

    /// Creates a plan from explicit classes; they are sorted by size.
    ///
    /// - Precondition: no two classes have the same size.
    public init(classes: [SizeClass]) {
        let sorted = classes.sorted { $0.size < $1.size }
        for (lower, upper) in zip(sorted, sorted.dropFirst()) {
            precondition(lower.size != upper.size, "two size classes of \(lower.size) bytes")
        }
        self.classes = sorted
    }

    /// Derives a plan from maximum payload sizes, as Architecture.md says: each size falls in the
    /// next power of two at or above it (at least ``minimumClassSize``), and each class gets
    /// the default capacity (``defaultCapacity(forClassSize:)``).
    ///
    /// - Precondition: every size is at least 1.
    public init(payloadSizes: some Sequence<Int>) {
        let sizes = Set(payloadSizes.map(Self.classSize(forPayload:)))
        self.init(classes: sizes.map { SizeClass(size: $0, capacity: Self.defaultCapacity(forClassSize: $0)) })
    }

    /// The class size a payload of `byteCount` bytes falls in when a plan is derived: the
    /// next power of two at or above it, at least ``minimumClassSize``.
    ///
    /// - Precondition: `byteCount` is at least 1 and at most 2^62.
    public static func classSize(forPayload byteCount: Int) -> Int {
        precondition(byteCount > 0 && byteCount <= 1 << 62, "payload size \(byteCount) out of range")
        guard byteCount > minimumClassSize else { return minimumClassSize }
        return 1 << (Int.bitWidth - (byteCount - 1).leadingZeroBitCount)
    }

    /// The default number of buffers in one region of a class: 65,536 / size, at least 1.
    public static func defaultCapacity(forClassSize size: Int) -> Int {
        max(1, regionTargetBytes / size)
    }

    /// The index in ``classes`` of the smallest class that holds `byteCount` bytes, or `nil`
    /// when `byteCount` is above every class.
    @inlinable
    public func classIndex(forByteCount byteCount: Int) -> Int? {
        classes.firstIndex { $0.size >= byteCount }
    }

    /// This plan with `extra` classes added; a class whose size is already planned keeps the
    /// larger of the two capacities.
    public func adding(_ extra: [SizeClass]) -> SizeClassPlan {
        var bySize = Dictionary(classes.map { ($0.size, $0) }, uniquingKeysWith: { first, _ in first })
        for added in extra {
            if let present = bySize[added.size], present.capacity >= added.capacity { continue }
            bySize[added.size] = added
        }
        return SizeClassPlan(classes: Array(bySize.values))
    }

    /// Bytes reserved when every class holds one region.
    public var firstRegionBytes: Int { classes.reduce(0) { $0 + $1.regionBytes } }
}

extension SizeClassPlan: CustomStringConvertible {
    /// The classes as `size×capacity`, for logs: `128×512 1024×64`.
    public var description: String {
        classes.map { "\($0.size)×\($0.capacity)" }.joined(separator: " ")
    }
}
