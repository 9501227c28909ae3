import Glibc
import Synchronization

/// A single-producer single-consumer ring that moves values (also `~Copyable` handles) from
/// one thread to another without allocating.
final class HandoffRing<Element: ~Copyable>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Element>
    private let capacity: Int
    private let head = Atomic<Int>(0)
    private let tail = Atomic<Int>(0)

    init(capacity: Int) {
        self.capacity = capacity
        slots = .allocate(capacity: capacity)
    }

    deinit { slots.deallocate() }

    func push(_ element: consuming Element) {
        let position = tail.load(ordering: .relaxed)
        while position - head.load(ordering: .acquiring) == capacity { sched_yield() }
        (slots + position % capacity).initialize(to: element)
        tail.store(position + 1, ordering: .releasing)
    }

    func pop() -> Element {
        let position = head.load(ordering: .relaxed)
        while tail.load(ordering: .acquiring) == position { sched_yield() }
        let element = (slots + position % capacity).move()
        head.store(position + 1, ordering: .releasing)
        return element
    }
}
