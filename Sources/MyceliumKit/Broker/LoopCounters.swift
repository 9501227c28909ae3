import Synchronization

/// Counts for other threads to read: a loop's, published once per event batch, or the
/// in-process publishes', added to after each one. Every value is a running total but
/// ``subscriptions``, the number held now.
final class LoopCounters: Sendable {
    let messagesIn = Atomic<Int>(0)
    let messagesOut = Atomic<Int>(0)
    let slowConsumers = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    let droppedNoMemory = Atomic<Int>(0)
    let bytesIn = Atomic<Int>(0)
    let bytesOut = Atomic<Int>(0)
    let opened = Atomic<Int>(0)
    let closedByPeer = Atomic<Int>(0)
    let closedForProtocolErrors = Atomic<Int>(0)
    let closedSlowConsumers = Atomic<Int>(0)
    let closedAtShutdown = Atomic<Int>(0)
    let refused = Atomic<Int>(0)
    let subscriptions = Atomic<Int>(0)
    let authRefusals = Atomic<Int>(0)
    let uplinkUnwanted = Atomic<Int>(0)

    /// Publishes a loop's running totals.
    func store(_ counts: DeliveryCounts) {
        messagesIn.store(counts.messagesIn, ordering: .relaxed)
        messagesOut.store(counts.messagesOut, ordering: .relaxed)
        slowConsumers.store(counts.slowConsumers, ordering: .relaxed)
        dropped.store(counts.dropped, ordering: .relaxed)
        droppedNoMemory.store(counts.droppedNoMemory, ordering: .relaxed)
        bytesIn.store(counts.bytesIn, ordering: .relaxed)
        bytesOut.store(counts.bytesOut, ordering: .relaxed)
        opened.store(counts.opened, ordering: .relaxed)
        closedByPeer.store(counts.closed.peer, ordering: .relaxed)
        closedForProtocolErrors.store(counts.closed.protocolError, ordering: .relaxed)
        closedSlowConsumers.store(counts.closed.slowConsumer, ordering: .relaxed)
        closedAtShutdown.store(counts.closed.shutdown, ordering: .relaxed)
        refused.store(counts.refused, ordering: .relaxed)
        subscriptions.store(counts.subscriptions, ordering: .relaxed)
        authRefusals.store(counts.authRefusals, ordering: .relaxed)
        uplinkUnwanted.store(counts.uplinkUnwanted, ordering: .relaxed)
    }

    /// What was published last, as counts.
    func load() -> DeliveryCounts {
        DeliveryCounts(
            messagesIn: messagesIn.load(ordering: .relaxed), messagesOut: messagesOut.load(ordering: .relaxed),
            slowConsumers: slowConsumers.load(ordering: .relaxed), dropped: dropped.load(ordering: .relaxed),
            droppedNoMemory: droppedNoMemory.load(ordering: .relaxed), bytesIn: bytesIn.load(ordering: .relaxed),
            bytesOut: bytesOut.load(ordering: .relaxed), opened: opened.load(ordering: .relaxed),
            closed: DeliveryCounts.CloseCounts(
                peer: closedByPeer.load(ordering: .relaxed), protocolError: closedForProtocolErrors.load(ordering: .relaxed),
                slowConsumer: closedSlowConsumers.load(ordering: .relaxed), shutdown: closedAtShutdown.load(ordering: .relaxed)),
            refused: refused.load(ordering: .relaxed), subscriptions: subscriptions.load(ordering: .relaxed),
            authRefusals: authRefusals.load(ordering: .relaxed), uplinkUnwanted: uplinkUnwanted.load(ordering: .relaxed))
    }

    /// Adds the counts of one in-process publish (messages only).
    func add(_ counts: DeliveryCounts) {
        messagesIn.add(counts.messagesIn, ordering: .relaxed)
        if counts.messagesOut != 0 { messagesOut.add(counts.messagesOut, ordering: .relaxed) }
        if counts.slowConsumers != 0 { slowConsumers.add(counts.slowConsumers, ordering: .relaxed) }
        if counts.dropped != 0 { dropped.add(counts.dropped, ordering: .relaxed) }
        if counts.droppedNoMemory != 0 { droppedNoMemory.add(counts.droppedNoMemory, ordering: .relaxed) }
        if counts.uplinkUnwanted != 0 { uplinkUnwanted.add(counts.uplinkUnwanted, ordering: .relaxed) }
    }
}
