import Synchronization

/// Message counts for other threads to read: a loop's, published once per event batch, or
/// the in-process publishes', added to after each one.
final class LoopCounters: Sendable {
    let messagesIn = Atomic<Int>(0)
    let messagesOut = Atomic<Int>(0)
    let slowConsumers = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    let authRefusals = Atomic<Int>(0)

    /// Publishes a loop's running totals.
    func store(_ counts: DeliveryCounts) {
        messagesIn.store(counts.messagesIn, ordering: .relaxed)
        messagesOut.store(counts.messagesOut, ordering: .relaxed)
        slowConsumers.store(counts.slowConsumers, ordering: .relaxed)
        dropped.store(counts.dropped, ordering: .relaxed)
        authRefusals.store(counts.authRefusals, ordering: .relaxed)
    }

    /// Adds the counts of one in-process publish.
    func add(_ counts: DeliveryCounts) {
        messagesIn.add(counts.messagesIn, ordering: .relaxed)
        if counts.messagesOut != 0 { messagesOut.add(counts.messagesOut, ordering: .relaxed) }
        if counts.slowConsumers != 0 { slowConsumers.add(counts.slowConsumers, ordering: .relaxed) }
        if counts.dropped != 0 { dropped.add(counts.dropped, ordering: .relaxed) }
    }
}
