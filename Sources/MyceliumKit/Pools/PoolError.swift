/// Why a pool could not hand out a buffer.
public enum PoolError: Error, Hashable, CustomStringConvertible {
    /// A request for fewer than 1 byte.
    case invalidSize(Int)
    /// The memory budget is spent and the overflow policy is `fail`.
    case budgetExhausted(requested: Int, budget: Int)

    /// What was asked for and what to do.
    public var description: String {
        switch self {
        case .invalidSize(let size):
            "cannot acquire a buffer of \(size) bytes: ask for at least 1 byte"
        case .budgetExhausted(let requested, let budget):
            "pool memory budget of \(budget) bytes is spent; a \(requested)-byte buffer must wait until buffers are returned (or raise the budget, or use the 'allocate' overflow policy)"
        }
    }
}
