import Synchronization

/// The hand-over between whoever produces a subscription's messages and the one task that
/// consumes its ``MessageStream``: two ``MessageBatch``es, the producer's (under a lock) and
/// the consumer's (its own, read without the lock), and the consumer's wake-up.
///
/// A producer hands over a whole batch at once (``deliverDeferringWake(_:)``: a client's
/// loop, every frame of one read, views of its receive buffer) or one message in a buffer of
/// its own (``deliver(typeID:_:)``: an embedded ``Broker``'s in-process subscriptions), and
/// ``finish(throwing:)`` at the end: so that both kinds of subscriber consume one type.
/// The consumer takes everything waiting in one exchange of batches, then takes messages off
/// its batch without locking; it locks again only to return a chunk whose messages it has
/// all passed, or when its batch is empty: one lock per read, not per message.
///
/// The queue holds the pool its producer's buffers come from, so that queued messages never
/// outlive it (a stream may be kept after its client or broker is gone); a buffer taken out
/// with ``take(generation:)`` keeps its pool alive itself. A producer that queues a buffer
/// of another pool makes it keep its pool alive first (``SharedBuffer/keepPoolAlive()``).
///
/// What happens once ``limit`` messages wait (in both batches) is the queue's ``Overflow``
/// rule: a client's loop can stop reading its socket, so it pauses; a broker must not stall
/// its other subscribers, so it drops the oldest message or ends the stream.
final class MessageQueue: @unchecked Sendable {
    /// What a producer does once ``limit`` messages wait.
    enum Overflow {
        /// Queue the messages anyway and report ``Delivery/full`` once: the producer should
        /// stop producing; `resume` is called, on the consumer's thread, once the consumer
        /// has taken the queue down to half the limit.
        case pauseProducer(resume: @Sendable () -> Void)
        /// Drop the oldest message waiting in the producer's batch to make room (the
        /// consumer's batch is the consumer's: while it holds them all, one more waits).
        case dropOldest
        /// Keep the queue as it is and report ``Delivery/refused``: the producer ends the
        /// stream.
        case refuse
    }

    /// What became of delivered messages.
    enum Delivery {
        /// Queued.
        case accepted
        /// Queued, and the queue reached its limit: pause until the overflow rule's `resume`.
        case full
        /// Queued in place of the oldest waiting message, which was dropped.
        case droppedOldest
        /// Not queued: the limit was reached under ``Overflow/refuse``.
        case refused
        /// The stream has ended; the messages were dropped.
        case closed
    }

    private let state: Lock<State>
    /// The consumer's batch: taken off by the consuming task without the lock; exchanged
    /// with the producer's, and its exhausted chunks returned, under it (see ``take(generation:)``).
    private let consumer: UnsafeMutablePointer<MessageBatch>
    /// Messages in the consumer's batch, for the producer's overflow rule.
    private let backlog = Atomic<Int>(0)
    /// Counts the consumer's calls; a ``Message`` can take its buffer only in its own.
    private let generation = Atomic<UInt64>(0)
    /// Messages waiting before the overflow rule applies.
    let limit: Int
    let overflow: Overflow
    /// Kept alive for the queued buffers, which hold it unretained.
    let pool: any PoolBackend

    /// A queue of buffers from `pool` that applies `overflow` past `limit` waiting messages.
    init(limit: Int, overflow: Overflow, pool: any PoolBackend) {
        self.limit = max(1, limit)
        self.overflow = overflow
        self.pool = pool
        let capacity = min(64, self.limit)
        state = Lock(State(capacity: capacity))
        consumer = .allocate(capacity: 1)
        consumer.initialize(to: MessageBatch(capacity: capacity))
    }

    deinit {
        // Every buffer goes back before `pool` is released: this may be its last reference.
        state.withLock { $0.incoming.releaseAll() }
        consumer.deinitialize(count: 1)
        consumer.deallocate()
    }

    // MARK: Producer side

    /// Queues one message whose payload is all of `buffer`, applying the overflow rule;
    /// wakes the consumer if it waits.
    func deliver(typeID: UInt16, _ buffer: consuming SharedBuffer) -> Delivery {
        var incoming = Optional(buffer)
        let (delivery, waiter) = enqueue(count: 1) { batch in
            if let message = incoming.take() { batch.append(typeID: typeID, message) }
        }
        waiter?.resume()
        return delivery
    }

    /// Moves every message of `batch` (left empty) into the queue in one hand-off, applying
    /// the overflow rule once; hands back the waiting consumer's continuation (taken off the
    /// queue) instead of resuming it: a producer that delivers to several queues resumes
    /// them after its read.
    func deliverDeferringWake(_ batch: inout MessageBatch) -> (Delivery, UnsafeContinuation<Void, Never>?) {
        let result = enqueue(count: batch.count) { $0.append(contentsOf: &batch) }
        batch.releaseAll()
        return result
    }

    /// Applies the overflow rule to `count` arriving messages and lets `append` add them
    /// to the producer's batch, under the lock.
    private func enqueue(
        count: Int, _ append: (inout MessageBatch) -> Void
    ) -> (Delivery, UnsafeContinuation<Void, Never>?) {
        state.withLock { state -> (Delivery, UnsafeContinuation<Void, Never>?) in
            guard state.end == nil else { return (.closed, nil) }
            var delivery = Delivery.accepted
            if state.incoming.count + backlog.load(ordering: .relaxed) >= limit {
                switch overflow {
                case .pauseProducer:
                    break
                case .dropOldest:
                    if state.incoming.count > 0 {
                        state.incoming.dropFirst()
                        delivery = .droppedOldest
                    }
                case .refuse:
                    return (.refused, nil)
                }
            }
            append(&state.incoming)
            if case .pauseProducer = overflow, !state.producerPaused,
                state.incoming.count + backlog.load(ordering: .relaxed) >= limit
            {
                state.producerPaused = true
                delivery = .full
            }
            let waiter = state.waiter
            state.waiter = nil
            return (delivery, waiter)
        }
    }

    /// Ends the stream after the messages already queued: with `error`, or normally when
    /// `nil`. Later calls change nothing. Returns whether the producer was paused by this
    /// queue (it will not be resumed by it now).
    @discardableResult
    func finish(throwing error: (any Error)?) -> Bool {
        let (waiter, wasPaused) = state.withLock { state -> (UnsafeContinuation<Void, Never>?, Bool) in
            if state.end == nil { state.end = .init(error: error) }
            let waiter = state.waiter
            state.waiter = nil
            defer { state.producerPaused = false }
            return (waiter, state.producerPaused)
        }
        waiter?.resume()
        return wasPaused
    }

    // MARK: Consumer side

    private enum Step {
        case ready
        case end((any Error)?)
        case wait
    }

    /// The next message, waiting for one; `nil` after the end. The previous message's
    /// chunk goes back to its pool once no message of it is left (unless
    /// ``Message/takeBuffer()`` moved it out).
    ///
    /// Without locking while the consumer's batch holds messages of the chunk being read;
    /// past a chunk, at the middle of the limit (to resume a paused producer in time), and
    /// when the batch is empty, through ``refill()``.
    ///
    /// - Throws: the error the stream ended with (once), or `CancellationError` when the
    ///   waiting task is cancelled.
    func next() async throws -> Message? {
        let current = generation.load(ordering: .relaxed) &+ 1
        generation.store(current, ordering: .releasing)
        let batch = consumer
        if batch.pointee.count == 0 || batch.pointee.firstChunkIsExhausted || batch.pointee.count == limit / 2 {
            guard try await refill() else { return nil }
        }
        let entry = batch.pointee.removeFirst()
        backlog.store(batch.pointee.count, ordering: .relaxed)
        return Message(
            typeID: entry.typeID, base: entry.base, count: Int(entry.count), queue: self, generation: current)
    }

    /// The consumer's locked step: returns its exhausted chunk, takes everything waiting when
    /// its batch is empty (then resumes a paused producer once half the room is free); returns
    /// `true` when the batch has a message, `false` once the end was reported; waits between.
    private func refill() async throws -> Bool {
        let batch = consumer
        while true {
            let (step, resume) = state.withLock { state -> (Step, Bool) in
                batch.pointee.releaseExhaustedChunk()
                if batch.pointee.count == 0 {
                    batch.pointee.releaseAll()
                    batch.pointee.exchange(with: &state.incoming)
                }
                let waiting = batch.pointee.count
                backlog.store(waiting, ordering: .relaxed)
                let resume = state.producerPaused && state.incoming.count + waiting <= limit / 2
                if resume { state.producerPaused = false }
                if waiting > 0 { return (.ready, resume) }
                if let end = state.end {
                    if end.reported { return (.end(nil), resume) }
                    state.end?.reported = true
                    return (.end(end.error), resume)
                }
                return (.wait, resume)
            }
            if resume, case .pauseProducer(let resumeProducer) = overflow { resumeProducer() }
            switch step {
            case .ready:
                return true
            case .end(let error):
                if let error { throw error }
                return false
            case .wait:
                await waitForMessages()
                if Task.isCancelled {
                    state.withLock { $0.cancelled = false }
                    throw CancellationError()
                }
            }
        }
    }

    private func waitForMessages() async {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.incoming.count > 0 || state.end != nil || state.cancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> UnsafeContinuation<Void, Never>? in
                state.cancelled = true
                let waiter = state.waiter
                state.waiter = nil
                return waiter
            }
            waiter?.resume()
        }
    }

    /// The payload of message `generation` (`base[0..<count]`) in a buffer of its own, if
    /// `generation` is still current and it was not taken yet: its own buffer moved out, or,
    /// for a message cut from a shared receive chunk, a copy in a buffer of its size class
    /// (so that keeping it never keeps the chunk). It keeps its pool alive from now on, since
    /// the queue no longer does. `nil` also when the pool has no buffer for the copy.
    ///
    /// Safe beside the consumer: the consumer moves the generation on before it touches its
    /// chunks, and returns one only under the lock held here.
    func take(generation taken: UInt64, base: UnsafeRawPointer, count: Int) -> SharedBuffer? {
        let buffer = state.withLock { state -> SharedBuffer? in
            guard generation.load(ordering: .acquiring) == taken, state.takenGeneration != taken else { return nil }
            state.takenGeneration = taken
            if let own = consumer.pointee.takeFirstChunk(holdingOnly: base, count: count) { return own }
            guard var copy = try? pool.acquire(byteCount: max(1, count)) else { return nil }
            copy.baseAddress.copyMemory(from: base, byteCount: count)
            copy.count = count
            return copy.share()
        }
        guard let buffer else { return nil }
        buffer.keepPoolAlive()
        return buffer
    }

    // MARK: State

    private struct End {
        var error: (any Error)?
        var reported = false
    }

    private struct State: ~Copyable {
        /// The producer's batch: what arrived since the consumer last took everything.
        var incoming: MessageBatch
        var waiter: UnsafeContinuation<Void, Never>?
        var end: End?
        var producerPaused = false
        var cancelled = false
        /// The generation whose message was taken (a message is taken once).
        var takenGeneration: UInt64?

        init(capacity: Int) {
            incoming = MessageBatch(capacity: capacity)
        }
    }
}
