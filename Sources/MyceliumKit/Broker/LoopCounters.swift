import Synchronization

/// A loop's message counts, published once per event batch for other threads to read.
final class LoopCounters: Sendable {
    let messagesIn = Atomic<Int>(0)
    let messagesOut = Atomic<Int>(0)
    let slowConsumers = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
}
