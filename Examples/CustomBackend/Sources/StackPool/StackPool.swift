public import MyceliumKit
import Synchronization

/// A pool backend that keeps each size class's returned buffers on a stack: the buffer
/// returned last is handed out first, while its bytes are likely still in cache.
///
/// A class reserves nothing until it is first used; then it takes memory in regions of
/// `capacity` buffers (its ``MyceliumKit/SizeClassPlan/SizeClass``), one more whenever every
/// buffer it holds is out, while the configuration's memory budget allows. Past the budget
/// the overflow policy applies: `allocate` serves the buffer from the heap (a miss), `fail`
/// throws. Requests above every class come from the heap. ``trim()`` gives back every region
/// with no buffer out.
///
/// One mutex guards the whole pool: short critical sections, no allocation inside them
/// except when a class grows. Simple and correct rather than fast; the built-in `arena` and
/// `lockfree` backends show how to go without a lock on the hot path.
///
/// ```swift
/// var registry = PoolRegistry.builtIn
/// try registry.register(StackPool.registeredName, description: "a free-buffer stack per size class") {
///     StackPool(configuration: $0)
/// }
/// ```
public final class StackPool: PoolBackend {
    /// The name this example registers the backend under.
    public static let registeredName = "stack"

    /// The name shown in stats.
    public let name: String
    /// The classes, the budget, the overflow policy and whether returned bytes are zeroed.
    public let configuration: PoolConfiguration
    private let state: Mutex<State>

    private struct State {
        var classes: [StackClass]
        /// Requests above every class.
        var unclassified = PoolClassStats(size: 0, capacity: 0)
        /// Region bytes held by every class together, checked against the budget.
        var reservedBytes = 0
    }

    /// How an acquire was decided under the lock.
    private enum Decision {
        case pooled(PoolAllocation)
        case heap
        case refused
    }

    /// Creates an empty pool: nothing is reserved until a class is first used.
    ///
    /// - Precondition: the plan has at most 65,534 classes (a token holds the class index
    ///   in 16 bits).
    public init(name: String = StackPool.registeredName, configuration: PoolConfiguration) {
        precondition(
            configuration.plan.classes.count <= StackToken.maxClassCount,
            "a StackPool serves at most \(StackToken.maxClassCount) size classes, this plan has \(configuration.plan.classes.count)"
        )
        self.name = name
        self.configuration = configuration
        state = Mutex(State(classes: configuration.plan.classes.map(StackClass.init)))
    }

    deinit {
        checkNoBuffersOut(inUse: stats().inUse)
        state.withLock { state in
            for index in state.classes.indices { state.classes[index].releaseAll() }
        }
    }

    /// Hands out a buffer of the smallest class that holds `byteCount` bytes.
    ///
    /// - Throws: ``MyceliumKit/PoolError/budgetExhausted(requested:budget:)`` when the class
    ///   must grow past the budget and the overflow policy is `fail`.
    public func allocate(byteCount: Int) throws(PoolError) -> PoolAllocation {
        let plan = configuration.plan
        guard let classIndex = plan.classIndex(forByteCount: byteCount) else {
            state.withLock { $0.unclassified.countAcquire(.miss) }
            return Self.heapAllocation(capacity: byteCount, classIndex: plan.classes.count)
        }
        let budget = configuration.memoryBudget
        let policy = configuration.overflowPolicy
        let decision = state.withLock { state -> Decision in
            if let slot = state.classes[classIndex].takeReserved() {
                return .pooled(state.classes[classIndex].allocation(slot: slot, classIndex: classIndex))
            }
            let regionBytes = state.classes[classIndex].regionBytes
            if state.reservedBytes + regionBytes <= budget {
                state.reservedBytes += regionBytes
                let slot = state.classes[classIndex].grow()
                return .pooled(state.classes[classIndex].allocation(slot: slot, classIndex: classIndex))
            }
            guard policy == .allocate else { return .refused }
            state.classes[classIndex].countMiss()
            return .heap
        }
        switch decision {
        case .pooled(let allocation):
            return allocation
        case .heap:
            return Self.heapAllocation(capacity: plan.classes[classIndex].size, classIndex: classIndex)
        case .refused:
            throw .budgetExhausted(requested: byteCount, budget: budget)
        }
    }

    /// Takes a buffer back: zeroes its used bytes (when configured) before pushing it on its
    /// class's stack, or frees it when it came from the heap.
    public func deallocate(_ allocation: PoolAllocation, usedByteCount: Int) {
        let token = StackToken(allocation.token)
        if token.isHeap {
            allocation.control.deallocate()
        } else if configuration.zeroesOnRelease {
            // Zeroed before the push, while this thread still owns the buffer.
            allocation.bytes.initializeMemory(as: UInt8.self, repeating: 0, count: min(usedByteCount, allocation.capacity))
        }
        state.withLock { state in
            if token.classIndex == state.classes.count {
                state.unclassified.countReturn()
            } else {
                state.classes[token.classIndex].giveBack(slot: token.slot, fromHeap: token.isHeap)
            }
        }
    }

    /// The counters of every class and of the requests above them.
    public func stats() -> PoolStats {
        let (classes, unclassified) = state.withLock { state in
            (state.classes.map(\.counters), state.unclassified)
        }
        return PoolStats(name: name, classes: classes, unclassified: unclassified)
    }

    /// Gives back every region in which no buffer is out.
    public func trim() {
        state.withLock { state in
            for index in state.classes.indices { state.reservedBytes -= state.classes[index].trim() }
        }
    }

    /// A zeroed heap buffer with its 16 control bytes in front, counted already.
    private static func heapAllocation(capacity: Int, classIndex: Int) -> PoolAllocation {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: 16 + capacity, alignment: 16)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: 16 + capacity)
        return PoolAllocation(
            bytes: memory + 16, capacity: capacity, control: memory,
            token: StackToken(classIndex: classIndex, slot: StackToken.heapSlot).raw)
    }
}
