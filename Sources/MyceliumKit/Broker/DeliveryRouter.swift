import Synchronization

/// The one way a broker's messages reach their subscribers, whoever sent them: a loop's
/// read path (``route(run:_:byteCount:frames:frameSize:from:)`` and
/// ``route(_:dense:_:from:)``) and an in-process publish (``publish(_:dense:_:)``) each
/// reach the sending loop's socket subscribers, the other loops' and the in-process ones.
///
/// - Socket subscribers on the sending loop get the frames queued on their connections.
/// - Other loops get them batched: a loop collects them in its outboxes and hands each
///   batch over at the end of its event batch; an in-process publish puts them in the loops'
///   inboxes, after releasing every lock.
/// - In-process subscribers get a pooled buffer per frame on their ``MessageQueue``. Their
///   set is an immutable ``InProcessSubscribers`` snapshot, replaced under ``state``'s lock
///   on subscribe and unsubscribe and published through one atomic word: a loop's check per
///   run of frames is one atomic load. A replaced snapshot is released only once every
///   loop has run a task queued after the replacement, so no loop can still be reading it.
///
/// Frames of types shared through NATS also go to the ``uplink``: a loop's in its outbox
/// for the uplink, an in-process publish's straight into the uplink's inbox. What arrives
/// from NATS comes in through ``routeFromUplink(_:_:byteCount:outboxes:mask:counts:)``,
/// which reaches every loop and in-process subscriber but never the uplink.
///
/// The router also starts and ends in-process subscriptions, and knows the running
/// broker's loops (``peers``) and uplink.
///
/// Lock order: ``state``'s lock, then a ``MessageQueue``'s; nothing calls a loop while
/// holding it.
final class DeliveryRouter: @unchecked Sendable {
    private struct State {
        /// The in-process subscribers, also published in ``DeliveryRouter/published``.
        var current: InProcessSubscribers?
        var stopped = false
    }

    let routing: RoutingTable
    let limits: BrokerCore.Limits
    /// The pool of in-process subscribers' buffers.
    let pool: any PoolBackend
    /// The counts of in-process publishes (loops count what they deliver themselves).
    let counters = LoopCounters()
    /// The running broker's loops, by index: set by ``attach(_:)`` before their threads
    /// start and emptied by ``detach()`` after they end, both under ``state``'s lock, so
    /// that loops read it without a lock and in-process publishes copy it under the lock.
    @exclusivity(unchecked) private(set) var peers: [BrokerLoop] = []
    /// The running broker's NATS uplink, set and let go of with ``peers``.
    @exclusivity(unchecked) private(set) var uplink: Uplink?
    /// The address of ``State/current``'s object, 0 when there is no in-process subscriber.
    private let published = Atomic<UInt>(0)
    private let state = Lock(State())

    init(routing: RoutingTable, limits: BrokerCore.Limits, pool: any PoolBackend) {
        self.routing = routing
        self.limits = limits
        self.pool = pool
    }

    // MARK: Loops

    /// Makes `loops` the broker's loops and `uplink` its uplink; call before their threads start.
    func attach(_ loops: [BrokerLoop], uplink: Uplink?) {
        state.withLock { _ in
            peers = loops
            self.uplink = uplink
        }
    }

    /// Lets go of the loops and the uplink; call after their threads ended, before running
    /// their last tasks.
    func detach() {
        state.withLock { _ in
            peers = []
            uplink = nil
        }
    }

    /// The event loops that read in-process snapshots: every loop's and the uplink's.
    private var readers: [EventLoop] {
        peers.map(\.eventLoop) + (uplink.map { [$0.eventLoop] } ?? [])
    }

    /// Calls `body` with the running broker's loops (none before the start and after
    /// ``detach()``), under the lock: a task `body` queues on a loop is queued before the
    /// loops are let go of, so the broker's stop runs it.
    func withLoops(_ body: ([BrokerLoop]) -> Void) {
        state.withLock { _ in body(peers) }
    }

    // MARK: In-process subscriptions

    /// Makes the queue of a new in-process subscription to `typeIDs` (known, distinct).
    func subscribe(_ typeIDs: [UInt16], bufferedMessages: Int) throws(BrokerError) -> MessageQueue {
        let queue = MessageQueue(
            limit: bufferedMessages, overflow: limits.dropsOldest ? .dropOldest : .refuse, pool: pool)
        let subscription = InProcessSubscribers.Subscription(queue: queue, typeIDs: typeIDs)
        let (replaced, loops) = try state.withLock { state throws(BrokerError) in
            guard !state.stopped else { throw .stopped }
            return (replace(&state, with: (state.current?.all ?? []) + [subscription]), readers)
        }
        retire(replaced, after: loops)
        uplink?.interestChanged()
        return queue
    }

    /// Ends the subscription whose stream reads `queue`, after the messages it holds.
    func unsubscribe(_ queue: MessageQueue) {
        _ = remove(queue)
        queue.finish(throwing: nil)
    }

    /// Removes the subscription whose stream reads `queue`; returns it, or `nil` when it
    /// was not subscribed (any more).
    private func remove(_ queue: MessageQueue) -> InProcessSubscribers.Subscription? {
        let (removed, replaced, loops) = state.withLock { state in
            let all = state.current?.all ?? []
            guard let position = all.firstIndex(where: { $0.queue === queue }) else {
                return (InProcessSubscribers.Subscription?.none, InProcessSubscribers?.none, [EventLoop]())
            }
            var rest = all
            rest.remove(at: position)
            return (all[position], replace(&state, with: rest), readers)
        }
        retire(replaced, after: loops)
        uplink?.interestChanged()
        return removed
    }

    /// Refuses further publishes and subscriptions and ends every in-process stream with
    /// ``BrokerError/stopped`` after the messages it holds.
    func stop() {
        let (replaced, loops) = state.withLock { state in
            state.stopped = true
            return (replace(&state, with: []), readers)
        }
        for subscription in replaced?.all ?? [] { subscription.queue.finish(throwing: BrokerError.stopped) }
        retire(replaced, after: loops)
    }

    /// Publishes a new snapshot of `subscriptions`; returns the one it replaces.
    private func replace(_ state: inout State, with subscriptions: [InProcessSubscribers.Subscription])
        -> InProcessSubscribers?
    {
        let replaced = state.current
        state.current =
            subscriptions.isEmpty
            ? nil
            : InProcessSubscribers(subscriptions, typeCount: routing.typeCount) { Int(routing.slots[Int($0)].dense) }
        published.store(
            state.current.map { UInt(bitPattern: Unmanaged.passUnretained($0).toOpaque()) } ?? 0, ordering: .releasing)
        return replaced
    }

    /// Keeps a replaced snapshot until every loop (and the uplink) has run a task queued
    /// now: they read a snapshot only within the handling of one event, never across a task.
    private func retire(_ snapshot: InProcessSubscribers?, after loops: [EventLoop]) {
        guard let snapshot else { return }
        for loop in loops { loop.execute { withExtendedLifetime(snapshot) {} } }
    }

    /// Whether the type (dense index) has in-process subscribers: one atomic load.
    @inline(__always)
    func hasInProcessSubscribers(_ dense: Int) -> Bool {
        let address = published.load(ordering: .acquiring)
        guard address != 0 else { return false }
        return Unmanaged<InProcessSubscribers>.fromOpaque(UnsafeRawPointer(bitPattern: address).unsafelyUnwrapped)
            ._withUnsafeGuaranteedRef { !$0.byType[dense].isEmpty }
    }

    /// Calls `body` with the in-process subscribers of the type (dense index), if it has
    /// any; for loops, which the snapshot's retirement waits for.
    @inline(__always)
    private func withInProcessSubscribers(_ dense: Int, _ body: ([InProcessSubscribers.Subscription]) -> Void) {
        let address = published.load(ordering: .acquiring)
        guard address != 0 else { return }
        Unmanaged<InProcessSubscribers>.fromOpaque(UnsafeRawPointer(bitPattern: address).unsafelyUnwrapped)
            ._withUnsafeGuaranteedRef { subscribers in
                let subscriptions = subscribers.byType[dense]
                if !subscriptions.isEmpty { body(subscriptions) }
            }
    }

    // MARK: Routing

    /// Routes a run of small frames of one type that `loop` read into its receive buffer:
    /// copied to the loop's subscribers, batched for the other loops that have subscribers,
    /// and one pooled buffer per frame, filled with one copy, for in-process subscribers.
    @inline(__always)
    func route(
        run dense: Int, _ source: UnsafeRawPointer, byteCount: Int, frames: Int, frameSize: Int, from loop: BrokerLoop
    ) {
        loop.state.pointee.counts.messagesIn += frames
        if routing.uplinked[dense] { loop.uplinkLater(run: dense, source, byteCount, frames: frames, frameSize: frameSize) }
        loop.deliverLocally(dense, source, byteCount, frames: frames, frameSize: frameSize)
        withInProcessSubscribers(dense) { subscriptions in
            offerRun(subscriptions, source, byteCount, counts: &loop.state.pointee.counts)
        }
        loop.handOverLater(run: dense, source, byteCount, frames: frames, frameSize: frameSize)
    }

    /// Routes a frame that `loop` read into its own buffer: by reference to the loop's
    /// subscribers, the other loops' and the in-process ones.
    func route(_ header: FrameHeader, dense: Int, _ buffer: borrowing SharedBuffer, from loop: BrokerLoop) {
        loop.state.pointee.queuedBytes &+= FrameHeader.byteCount + buffer.count
        if routing.uplinked[dense] {
            if routing.uplinkTakes(dense) {
                loop.state.pointee.uplinkOutbox.appendShared(header, buffer.share())
            } else {
                loop.state.pointee.counts.uplinkUnwanted += 1
            }
        }
        loop.deliverSharedLocally(header, dense: dense, buffer)
        withInProcessSubscribers(dense) { subscriptions in
            offer(header.typeID, subscriptions, buffer, counts: &loop.state.pointee.counts)
        }
        loop.handOverLater(header, dense: dense, buffer)
    }

    /// Publishes an in-process message, by reference: to the in-process subscribers, and
    /// into the inbox of every loop whose connections subscribe to the type. What it needs
    /// is collected under the lock; it delivers after releasing it.
    ///
    /// - Throws: ``BrokerError/stopped`` after ``stop()``.
    func publish(_ header: FrameHeader, dense: Int, _ buffer: consuming SharedBuffer) throws(BrokerError) {
        let (subscribers, loops, sharedWith): (InProcessSubscribers?, [BrokerLoop], Uplink?) = try state.withLock {
            state throws(BrokerError) in
            guard !state.stopped else { throw .stopped }
            return (state.current, peers, self.uplink)
        }
        var counts = DeliveryCounts(messagesIn: 1)
        if routing.uplinked[dense], let sharedWith {
            if routing.uplinkTakes(dense) {
                sharedWith.receivePublished(header, buffer.share())
            } else {
                counts.uplinkUnwanted = 1
            }
        }
        if let subscriptions = subscribers?.byType[dense], !subscriptions.isEmpty {
            offer(header.typeID, subscriptions, buffer, counts: &counts)
        }
        counters.add(counts)
        guard !loops.isEmpty else { return }
        var mask = routing.loopMasks[dense].load(ordering: .acquiring)
        while mask != 0 {
            let loop = loops[mask.trailingZeroBitCount]
            mask &= mask - 1
            loop.receivePublished(header, buffer.share())
        }
    }

    /// Routes a frame (header and payload, contiguous) that came from NATS: to the
    /// in-process subscribers, and into `outboxes` (one per loop) for every loop with
    /// subscribers, setting their bits in `mask` for ``handOver(_:mask:)``. Never to the
    /// uplink: NATS frames are not published back (the one-hop rule).
    func routeFromUplink(
        _ dense: Int, _ frame: UnsafeRawPointer, byteCount: Int, outboxes: UnsafeMutablePointer<OutputQueue>,
        mask: inout UInt64, counts: inout DeliveryCounts
    ) {
        counts.messagesIn += 1
        withInProcessSubscribers(dense) { subscriptions in
            offerRun(subscriptions, frame, byteCount, counts: &counts)
        }
        var loops = routing.loopMasks[dense].load(ordering: .acquiring)
        while loops != 0 {
            let loop = loops.trailingZeroBitCount
            loops &= loops - 1
            do {
                try outboxes[loop].appendFrames(
                    frame, byteCount: byteCount, frameSize: byteCount, chunkSize: limits.chunkSize, pool: pool)
                mask |= 1 << UInt64(loop)
            } catch {
                counts.dropped += 1
                counts.droppedNoMemory += 1
            }
        }
    }

    /// Moves the batches in `outboxes` whose bits `mask` has into those loops' inboxes,
    /// wakes the loops and clears `mask`: the end of a loop's (or the uplink's) batch.
    func handOver(_ outboxes: UnsafeMutablePointer<OutputQueue>, mask: inout UInt64) {
        var remaining = mask
        mask = 0
        while remaining != 0 {
            let loop = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            let peer = peers[loop]
            peer.inbox.withLock { $0.appendAll(from: &outboxes[loop]) }
            peer.eventLoop.wakeUp()
        }
    }

    /// Queues one pooled buffer per frame of a run on every subscription, each filled with
    /// one copy.
    private func offerRun(
        _ subscriptions: [InProcessSubscribers.Subscription], _ source: UnsafeRawPointer, _ byteCount: Int,
        counts: inout DeliveryCounts
    ) {
        var offset = 0
        while offset < byteCount {
            let header = FrameHeader(readingFrom: source + offset)
            let length = Int(header.length)
            offset += FrameHeader.byteCount
            do {
                var buffer = try pool.acquire(byteCount: max(1, length))
                buffer.baseAddress.copyMemory(from: source + offset, byteCount: length)
                buffer.count = length
                offer(header.typeID, subscriptions, buffer.share(), counts: &counts)
            } catch {
                counts.dropped += subscriptions.count
                counts.droppedNoMemory += subscriptions.count
            }
            offset += length
        }
    }

    /// Queues the buffer on every subscription, applying the slow-consumer policy to those
    /// that let too many messages wait.
    private func offer(
        _ typeID: UInt16, _ subscriptions: [InProcessSubscribers.Subscription], _ buffer: borrowing SharedBuffer,
        counts: inout DeliveryCounts
    ) {
        for subscription in subscriptions {
            switch subscription.queue.deliver(typeID: typeID, buffer.share()) {
            case .accepted, .full:
                counts.messagesOut += 1
            case .droppedOldest:
                counts.messagesOut += 1
                counts.dropped += 1
            case .refused:
                // Counted once: another loop may have refused it at the same time.
                guard remove(subscription.queue) != nil else { continue }
                counts.slowConsumers += 1
                subscription.queue.finish(
                    throwing: BrokerError.slowConsumer(typeIDs: subscription.typeIDs, limit: subscription.queue.limit))
            case .closed:
                break
            }
        }
    }
}
