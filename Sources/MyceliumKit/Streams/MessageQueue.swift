import Synchronization

/// The hand-over between whoever produces a subscription's messages and the one task that
/// consumes its ``MessageStream``: a ring of pooled frame buffers, the slot that holds the
/// message being looked at, and the consumer's wake-up.
///
/// A producer calls ``deliver(typeID:_:)`` with each frame's ``SharedBuffer`` (no copy) and
/// ``finish(throwing:)`` at the end. Producers are a ``MyceliumClient``'s loop (socket
/// subscriptions) and an embedded ``Broker`` (in-process subscriptions), so that both kinds
/// of subscriber consume one type.
///
/// The queue holds the pool its producer's buffers come from, so that queued messages never
/// outlive it (a stream may be kept after its client or broker is gone); a buffer taken out
/// with ``take(generation:)`` keeps its pool alive itself. A producer that queues a buffer
/// of another pool makes it keep its pool alive first (``SharedBuffer/keepPoolAlive()``).
///
/// What happens once ``limit`` messages wait is the queue's ``Overflow`` rule: a client's
/// loop can stop reading its socket, so it pauses; a broker must not stall its other
/// subscribers, so it drops the oldest message or ends the stream.
final class MessageQueue: @unchecked Sendable {
    /// What a producer does once ``limit`` messages wait.
    enum Overflow {
        /// Queue the message anyway and report ``Delivery/full`` once: the producer should
        /// stop producing; `resume` is called, on the consumer's thread, once the consumer
        /// has taken the ring down to half the limit.
        case pauseProducer(resume: @Sendable () -> Void)
        /// Drop the oldest waiting message to make room.
        case dropOldest
        /// Keep the queue as it is and report ``Delivery/refused``: the producer ends the
        /// stream.
        case refuse
    }

    /// What became of a delivered message.
    enum Delivery {
        /// Queued.
        case accepted
        /// Queued, and the ring reached its limit: pause until the overflow rule's `resume`.
        case full
        /// Queued in place of the oldest waiting message, which was dropped.
        case droppedOldest
        /// Not queued: the limit was reached under ``Overflow/refuse``.
        case refused
        /// The stream has ended; the message was dropped.
        case closed
    }

    private let state: Lock<State>
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
        state = Lock(State(capacity: min(64, self.limit)))
    }

    deinit {
        // Every buffer goes back before `pool` is released: this may be its last reference.
        state.withLock { $0.releaseAll() }
    }

    // MARK: Producer side

    /// Queues one message, applying the overflow rule; wakes the consumer if it waits.
    func deliver(typeID: UInt16, _ buffer: consuming SharedBuffer) -> Delivery {
        let (delivery, waiter) = deliverDeferringWake(typeID: typeID, buffer)
        waiter?.resume()
        return delivery
    }

    /// Queues `buffer` as ``deliver(typeID:_:)`` does, but hands back the waiting
    /// consumer's continuation (taken off the queue) instead of resuming it: a producer that
    /// delivers a batch resumes it once, after the batch.
    func deliverDeferringWake(
        typeID: UInt16, _ buffer: consuming SharedBuffer
    ) -> (Delivery, UnsafeContinuation<Void, Never>?) {
        var incoming = Optional(buffer)
        return state.withLock { state -> (Delivery, UnsafeContinuation<Void, Never>?) in
            guard state.end == nil, let message = incoming.take() else { return (.closed, nil) }
            var delivery = Delivery.accepted
            if state.count >= limit {
                switch overflow {
                case .pauseProducer:
                    break
                case .dropOldest:
                    _ = state.pop()
                    delivery = .droppedOldest
                case .refuse:
                    return (.refused, nil)
                }
            }
            state.push(typeID, message)
            if case .pauseProducer = overflow, !state.producerPaused, state.count >= limit {
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

    private enum Step<Taken> {
        case taken(Taken, resume: Bool)
        case end((any Error)?)
        case wait
    }

    /// The next message, waiting for one; `nil` after the end. Returns the previous
    /// message's buffer to its pool unless ``Message/takeBuffer()`` moved it out.
    ///
    /// - Throws: the error the stream ended with (once), or `CancellationError` when the
    ///   waiting task is cancelled.
    func next() async throws -> Message? {
        try await consume { state in
            let typeID = state.typeIDs[state.head]
            let buffer = state.pop()
            let message = Message(
                typeID: typeID, base: buffer.baseAddress, count: buffer.count, queue: self, generation: state.generation)
            state.current = consume buffer
            return message
        }
    }

    /// Waits as ``next()`` does, then hands `body` each queued message's type id and
    /// payload, at most `limit`, under the queue's lock (keep `body` short: the producer waits
    /// for it); each buffer goes back to its pool after its call. Returns how many it
    /// handled, 0 once the stream ended normally.
    ///
    /// - Throws: as ``next()``.
    func drain(limit: Int, _ body: (UInt16, UnsafeRawBufferPointer) -> Void) async throws -> Int {
        precondition(limit >= 1, "drain needs room for a message")
        return try await consume { state in
            var handled = 0
            while state.count > 0 && handled < limit {
                let typeID = state.typeIDs[state.head]
                let buffer = state.pop()
                body(typeID, UnsafeRawBufferPointer(start: buffer.baseAddress, count: buffer.count))
                handled += 1
            }
            return handled
        } ?? 0
    }

    /// The consumer's side of ``next()`` and ``drain(limit:_:)``: releases the current
    /// message, lets `take` take queued messages under the lock (then resumes a paused
    /// producer once half the room is free), reports the end once, or waits.
    private func consume<Taken>(_ take: (inout State) -> Taken) async throws -> Taken? {
        while true {
            let step = state.withLock { state -> Step<Taken> in
                state.current = nil
                state.generation &+= 1
                if state.count > 0 {
                    let taken = take(&state)
                    var resume = false
                    if state.producerPaused && state.count <= limit / 2 {
                        state.producerPaused = false
                        resume = true
                    }
                    return .taken(taken, resume: resume)
                }
                if let end = state.end {
                    if end.reported { return .end(nil) }
                    state.end?.reported = true
                    return .end(end.error)
                }
                return .wait
            }
            switch step {
            case .taken(let taken, let resume):
                if resume, case .pauseProducer(let resumeProducer) = overflow { resumeProducer() }
                return taken
            case .end(let error):
                if let error { throw error }
                return nil
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
                    if state.count > 0 || state.end != nil || state.cancelled { return true }
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

    /// Moves the current message's buffer out, if `generation` is still current; it keeps
    /// its pool alive from now on, since the queue no longer does.
    func take(generation: UInt64) -> SharedBuffer? {
        let buffer = state.withLock { state -> SharedBuffer? in
            guard state.generation == generation else { return nil }
            return state.current.take()
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
        var buffers: UnsafeMutablePointer<SharedBuffer>
        var typeIDs: UnsafeMutablePointer<UInt16>
        var capacity: Int
        var head = 0
        var count = 0
        /// The buffer of the message the consumer looks at, until its next `next()`.
        var current: SharedBuffer?
        /// Counts `next()` calls; a ``Message`` can take its buffer only in its own.
        var generation: UInt64 = 0
        var waiter: UnsafeContinuation<Void, Never>?
        var end: End?
        var producerPaused = false
        var cancelled = false

        init(capacity: Int) {
            self.capacity = capacity
            buffers = .allocate(capacity: capacity)
            typeIDs = .allocate(capacity: capacity)
        }

        deinit {
            for offset in 0..<count { _ = (buffers + (head + offset) % capacity).move() }
            buffers.deallocate()
            typeIDs.deallocate()
        }

        mutating func push(_ typeID: UInt16, _ buffer: consuming SharedBuffer) {
            if count == capacity { grow() }
            let position = (head + count) % capacity
            (buffers + position).initialize(to: buffer)
            typeIDs[position] = typeID
            count += 1
        }

        /// Drops every queued buffer and the current one.
        mutating func releaseAll() {
            while count > 0 { _ = pop() }
            current = nil
        }

        /// Removes the oldest buffer; its type id was at `typeIDs[head]`.
        mutating func pop() -> SharedBuffer {
            let buffer = (buffers + head).move()
            head = (head + 1) % capacity
            count -= 1
            return buffer
        }

        /// Doubles the ring; only a stream whose consumer lags past the limit within one
        /// read grows it, so a steady stream allocates nothing.
        private mutating func grow() {
            let newCapacity = capacity * 2
            let newBuffers = UnsafeMutablePointer<SharedBuffer>.allocate(capacity: newCapacity)
            let newTypeIDs = UnsafeMutablePointer<UInt16>.allocate(capacity: newCapacity)
            for offset in 0..<count {
                let old = (head + offset) % capacity
                (newBuffers + offset).moveInitialize(from: buffers + old, count: 1)
                newTypeIDs[offset] = typeIDs[old]
            }
            buffers.deallocate()
            typeIDs.deallocate()
            buffers = newBuffers
            typeIDs = newTypeIDs
            capacity = newCapacity
            head = 0
        }
    }
}
