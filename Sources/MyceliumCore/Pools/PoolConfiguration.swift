/// How a pool is set up: its classes, its memory budget, what happens past it, and whether
/// returned buffers are zeroed.
///
/// ```swift
/// var configuration = PoolConfiguration(plan: SizeClassPlan(payloadSizes: [25, 600]))
/// configuration.memoryBudget = 64 << 20
/// configuration.overflowPolicy = .fail
/// ```
public struct PoolConfiguration: Sendable, Hashable {
    /// What a pool does with a request above every class or past its budget.
    public enum OverflowPolicy: String, Sendable, Hashable, CaseIterable {
        /// Serve it from the heap and count a miss.
        case allocate
        /// Throw ``PoolError/budgetExhausted(requested:budget:)`` (above every class, a
        /// request is still served from the heap and counted as a miss: it is not a budget
        /// matter).
        case fail
    }

    /// The default budget: 256 MiB.
    public static let defaultMemoryBudget = 256 << 20

    /// The size classes.
    public var plan: SizeClassPlan
    /// The most bytes the pool reserves across all classes. Growth stops here.
    public var memoryBudget: Int
    /// What happens above every class or past the budget.
    public var overflowPolicy: OverflowPolicy
    /// Whether the used bytes of a returned buffer are zeroed.
    public var zeroesOnRelease: Bool

    /// Creates a configuration.
    ///
    /// - Precondition: `memoryBudget >= 0`.
    public init(
        plan: SizeClassPlan,
        memoryBudget: Int = Self.defaultMemoryBudget,
        overflowPolicy: OverflowPolicy = .allocate,
        zeroesOnRelease: Bool = true
    ) {
        precondition(memoryBudget >= 0, "a negative memory budget: \(memoryBudget)")
        self.plan = plan
        self.memoryBudget = memoryBudget
        self.overflowPolicy = overflowPolicy
        self.zeroesOnRelease = zeroesOnRelease
    }
}
