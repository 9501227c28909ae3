/// Why a pool could not be made, or could not hand out a buffer.
public enum PoolError: Error, Hashable, CustomStringConvertible {
    /// A request for fewer than 1 byte.
    case invalidSize(Int)
    /// The memory budget is spent and the overflow policy is `fail`.
    case budgetExhausted(requested: Int, budget: Int)
    /// The configuration's plan has more classes than the backend can tell apart.
    case tooManyClasses(count: Int, limit: Int)
    /// The process has no thread-specific key left for another pool with per-thread state
    /// (`arena`, `lockfree`): each takes one of the `limit` keys while it is alive.
    case tooManyPools(limit: Int)

    /// What was asked for and what to do.
    public var description: String {
        switch self {
        case .invalidSize(let size):
            "cannot acquire a buffer of \(size) bytes: ask for at least 1 byte"
        case .budgetExhausted(let requested, let budget):
            "pool memory budget of \(budget) bytes is spent; a \(requested)-byte buffer must wait until buffers are returned (or raise the budget, or use the 'allocate' overflow policy)"
        case .tooManyClasses(let count, let limit):
            "the size-class plan has \(count) classes; this pool supports at most \(limit): use fewer classes (a plan derived with SizeClassPlan(payloadSizes:) has one per power of two)"
        case .tooManyPools(let limit):
            "cannot make another pool with per-thread state: the process has used all its \(limit) thread-specific keys, one per live arena or lockfree pool; share pools or release ones no longer used (a mutex pool needs no key)"
        }
    }
}
