/// Why a pool could not be made, or could not hand out a buffer.
///
/// A struct with a ``Code`` rather than an enum, so that new kinds can be added without
/// breaking `switch`es: compare ``code``, or the whole value.
///
/// ```swift
/// do {
///     buffer = try pool.acquire(byteCount: 4096)
/// } catch where error.code == .budgetExhausted {
///     // wait for buffers to come back
/// }
/// ```
public struct PoolError: Error, Hashable, CustomStringConvertible {
    /// The kind of a ``PoolError``: compare it with the static members of its extension.
    public typealias Code = ErrorCode<PoolError>

    private enum Details: Hashable {
        case invalidSize(Int)
        case budgetExhausted(requested: Int, budget: Int)
        case tooManyClasses(count: Int, limit: Int)
        case tooManyPools(limit: Int)
    }

    private let details: Details

    /// A request for `size` (fewer than 1) bytes.
    public static func invalidSize(_ size: Int) -> PoolError { PoolError(details: .invalidSize(size)) }

    /// The memory budget of `budget` bytes is spent and the overflow policy is `fail`; the
    /// request was for `requested` bytes.
    public static func budgetExhausted(requested: Int, budget: Int) -> PoolError {
        PoolError(details: .budgetExhausted(requested: requested, budget: budget))
    }

    /// The configuration's plan has `count` classes; the backend tells apart at most `limit`.
    public static func tooManyClasses(count: Int, limit: Int) -> PoolError {
        PoolError(details: .tooManyClasses(count: count, limit: limit))
    }

    /// The process has no thread-specific key left for another pool with per-thread state
    /// (`arena`, `lockfree`): each takes one of the `limit` keys while it is alive.
    public static func tooManyPools(limit: Int) -> PoolError { PoolError(details: .tooManyPools(limit: limit)) }

    /// What kind of failure this is.
    public var code: Code {
        switch details {
        case .invalidSize: .invalidSize
        case .budgetExhausted: .budgetExhausted
        case .tooManyClasses: .tooManyClasses
        case .tooManyPools: .tooManyPools
        }
    }

    /// The bytes asked for (`.invalidSize`, `.budgetExhausted`).
    public var requestedBytes: Int? {
        switch details {
        case .invalidSize(let size): size
        case .budgetExhausted(let requested, _): requested
        case .tooManyClasses, .tooManyPools: nil
        }
    }

    /// The limit that was reached: the budget in bytes, the number of classes or of
    /// thread-specific keys.
    public var limit: Int? {
        switch details {
        case .invalidSize: nil
        case .budgetExhausted(_, let budget): budget
        case .tooManyClasses(_, let limit), .tooManyPools(let limit): limit
        }
    }

    /// What was asked for and what to do.
    public var description: String {
        switch details {
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

extension ErrorCode where Owner == PoolError {
    /// A request for fewer than 1 byte.
    public static var invalidSize: Self { Self("invalid size") }
    /// The memory budget is spent and the overflow policy is `fail`.
    public static var budgetExhausted: Self { Self("budget exhausted") }
    /// The configuration's plan has more classes than the backend can tell apart.
    public static var tooManyClasses: Self { Self("too many classes") }
    /// The process has no thread-specific key left for another pool with per-thread state.
    public static var tooManyPools: Self { Self("too many pools") }
}
