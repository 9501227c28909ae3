import Synchronization

/// The embedded broker's in-process side, the original design's "local transport":
/// subscriptions made with ``Broker/subscribe(_:bufferedMessages:)`` and publishes made with
/// ``Broker/publish(typeID:buffer:)``, without sockets.
///
/// A frame reaches an in-process subscriber as a pooled buffer: the publisher's own (shared,
/// no copy), the buffer a loop read a large frame into (shared), or, for a run of small
/// frames that a loop read into its receive buffer, one buffer per frame filled with one
/// copy. In-process publishes reach socket subscribers through the loops' inboxes, the way
/// frames are handed over between loops.
///
/// Lock order: this lock, then a ``MessageQueue``'s or a loop inbox's; never the reverse.
final class LocalTransport: @unchecked Sendable {
    private struct Subscriber {
        let queue: MessageQueue
        let typeIDs: [UInt16]
    }

    private struct State {
        /// Per dense type, its in-process subscribers.
        var subscribers: [[Subscriber]]
        /// The running broker's loops, which in-process publishes are handed to.
        var loops: [BrokerLoop] = []
        var stopped = false
        var messagesIn = 0
        var messagesOut = 0
        var slowConsumers = 0
        var dropped = 0
    }

    /// Per dense type, how many in-process subscribers it has: read without the lock once
    /// per run of frames, so a broker without in-process subscribers pays one load per run.
    private let subscriberCounts: UnsafeMutablePointer<Atomic<Int>>
    private let typeCount: Int
    private let routing: RoutingTable
    private let dropsOldest: Bool
    private let pool: any PoolBackend
    private let state: Lock<State>

    init(routing: RoutingTable, dropsOldest: Bool, pool: any PoolBackend) {
        self.routing = routing
        self.dropsOldest = dropsOldest
        self.pool = pool
        typeCount = routing.typeCount
        subscriberCounts = .allocate(capacity: max(1, typeCount))
        for index in 0..<max(1, typeCount) { (subscriberCounts + index).initialize(to: Atomic(0)) }
        state = Lock(State(subscribers: Array(repeating: [], count: typeCount)))
    }

    deinit {
        subscriberCounts.deinitialize(count: max(1, typeCount))
        subscriberCounts.deallocate()
    }

    /// Whether the type (dense index) has in-process subscribers.
    @inline(__always)
    func hasSubscribers(_ dense: Int) -> Bool {
        subscriberCounts[dense].load(ordering: .relaxed) > 0
    }

    // MARK: Subscriptions

    /// Makes the queue of a new in-process subscription to `typeIDs` (known, distinct).
    func subscribe(_ typeIDs: [UInt16], bufferedMessages: Int) throws(BrokerError) -> MessageQueue {
        let queue = MessageQueue(limit: bufferedMessages, overflow: dropsOldest ? .dropOldest : .refuse, pool: pool)
        let subscriber = Subscriber(queue: queue, typeIDs: typeIDs)
        try state.withLock { state throws(BrokerError) in
            guard !state.stopped else { throw .stopped }
            for typeID in typeIDs {
                let dense = dense(typeID)
                state.subscribers[dense].append(subscriber)
                subscriberCounts[dense].add(1, ordering: .relaxed)
            }
        }
        return queue
    }

    /// Ends the subscription whose stream reads `queue`, after the messages it holds.
    func unsubscribe(_ queue: MessageQueue) {
        state.withLock { state in remove(queue, from: &state) }
        queue.finish(throwing: nil)
    }

    private func remove(_ queue: MessageQueue, from state: inout State) {
        for dense in 0..<typeCount {
            let before = state.subscribers[dense].count
            state.subscribers[dense].removeAll { $0.queue === queue }
            let removed = before - state.subscribers[dense].count
            if removed > 0 { subscriberCounts[dense].subtract(removed, ordering: .relaxed) }
        }
    }

    // MARK: Running

    /// Hands in-process publishes to `loops` from now on.
    func attach(_ loops: [BrokerLoop]) {
        state.withLock { $0.loops = loops }
    }

    /// Refuses further publishes and subscriptions, lets go of the loops, and ends every
    /// in-process stream with ``BrokerError/stopped`` after the messages it holds.
    func stop() {
        let queues = state.withLock { state -> [MessageQueue] in
            state.stopped = true
            state.loops = []
            var queues: [MessageQueue] = []
            for dense in 0..<typeCount {
                for subscriber in state.subscribers[dense] where !queues.contains(where: { $0 === subscriber.queue }) {
                    queues.append(subscriber.queue)
                }
                subscriberCounts[dense].store(0, ordering: .relaxed)
                state.subscribers[dense] = []
            }
            return queues
        }
        for queue in queues { queue.finish(throwing: BrokerError.stopped) }
    }

    /// The in-process counts, to add to the loops'.
    func counts() -> (messagesIn: Int, messagesOut: Int, slowConsumers: Int, dropped: Int) {
        state.withLock { ($0.messagesIn, $0.messagesOut, $0.slowConsumers, $0.dropped) }
    }

    // MARK: Delivering

    /// Publishes an in-process message: to the in-process subscribers, and to every loop
    /// whose connections subscribe to the type.
    func publish(_ header: FrameHeader, dense: Int, _ buffer: consuming SharedBuffer) throws(BrokerError) {
        try state.withLock { state throws(BrokerError) in
            guard !state.stopped else { throw .stopped }
            state.messagesIn += 1
            offer(header.typeID, dense: dense, buffer, in: &state)
            guard !state.loops.isEmpty else { return }
            var mask = routing.loopMasks[dense].load(ordering: .acquiring)
            while mask != 0 {
                let loop = state.loops[mask.trailingZeroBitCount]
                mask &= mask - 1
                loop.receivePublished(header, buffer.share())
            }
        }
    }

    /// Delivers a frame a loop read into its own buffer (no copy).
    func deliver(_ header: FrameHeader, dense: Int, _ buffer: borrowing SharedBuffer) {
        state.withLock { state in offer(header.typeID, dense: dense, buffer, in: &state) }
    }

    /// Delivers a run of small frames of one type a loop read into its receive buffer: one
    /// pooled buffer per frame, filled with one copy, shared by the subscribers.
    func deliverRun(dense: Int, _ source: UnsafeRawPointer, _ byteCount: Int, pool: any PoolBackend) {
        state.withLock { state in
            var offset = 0
            while offset < byteCount {
                let header = FrameHeader(readingFrom: source + offset)
                let length = Int(header.length)
                offset += FrameHeader.byteCount
                do {
                    var buffer = try pool.acquire(byteCount: max(1, length))
                    buffer.baseAddress.copyMemory(from: source + offset, byteCount: length)
                    buffer.count = length
                    offer(header.typeID, dense: dense, buffer.share(), in: &state)
                } catch {
                    state.dropped += state.subscribers[dense].count
                }
                offset += length
            }
        }
    }

    /// Queues the buffer on every in-process subscriber of the type, applying the
    /// slow-consumer policy to those that let too many messages wait.
    private func offer(_ typeID: UInt16, dense: Int, _ buffer: borrowing SharedBuffer, in state: inout State) {
        var position = 0
        while position < state.subscribers[dense].count {
            let subscriber = state.subscribers[dense][position]
            position += 1
            switch subscriber.queue.deliver(typeID: typeID, buffer.share()) {
            case .accepted, .full:
                state.messagesOut += 1
            case .droppedOldest:
                state.messagesOut += 1
                state.dropped += 1
            case .refused:
                state.slowConsumers += 1
                remove(subscriber.queue, from: &state)
                position -= 1
                subscriber.queue.finish(
                    throwing: BrokerError.slowConsumer(typeIDs: subscriber.typeIDs, limit: subscriber.queue.limit))
            case .closed:
                break
            }
        }
    }

    private func dense(_ typeID: UInt16) -> Int {
        Int(routing.slots[Int(typeID)].dense)
    }
}
