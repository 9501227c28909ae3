extension ClientLoop {
    /// Fails `continuation` unless the connection is open; returns whether it is.
    private func isOpen<Value>(_ continuation: CheckedContinuation<Value, any Error>) -> Bool {
        guard state.pointee.phase == .open else {
            continuation.resume(throwing: state.pointee.failure ?? MyceliumClientError.closed)
            return false
        }
        return true
    }

    /// A PING token no other request of this client has; callers take theirs before
    /// submitting the request, so that they can name it when they give up on it.
    func takeToken() -> UInt64 {
        tokens.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    private func ping(token: UInt64) -> ControlFrame {
        .ping(withUnsafeBytes(of: token.littleEndian, Array.init))
    }

    /// Starts the clock on the request `token` (named `request` in a timeout error): the
    /// loop gives up on it after `timeout`, or ``MyceliumClient/Options/requestTimeout``.
    private func track(_ token: UInt64, _ request: @autoclosure () -> String, timeout: Duration? = nil) {
        guard let timeout = timeout ?? options.requestTimeout else { return }
        let deadline = ContinuousClock.now + timeout
        state.pointee.deadlines[token] = ClientState.Deadline(at: deadline, request: request(), timeout: timeout)
        if state.pointee.earliestDeadline.map({ deadline < $0 }) ?? true { state.pointee.earliestDeadline = deadline }
    }

    /// Sends `frame` between two PINGs, with nothing else between them, so that an ERROR
    /// about it is told apart from ERRORs about anything sent before or after;
    /// `roundTrip` completes at the second PONG, whose token is `token`.
    private func sendWindowed(_ frame: ControlFrame, token: UInt64, _ roundTrip: PendingRoundTrip) {
        let start = takeToken()
        state.pointee.roundTrips[start] = .windowStart(closes: token)
        state.pointee.roundTrips[token] = roundTrip
        send(ping(token: start), frame, ping(token: token))
        flush()
    }

    func ping(token: UInt64, _ continuation: CheckedContinuation<Duration, any Error>) {
        guard isOpen(continuation) else { return }
        state.pointee.roundTrips[token] = .ping(sentAt: .now, continuation)
        track(token, "PING")
        send(ping(token: token))
        flush()
    }

    /// Fails a connect still in progress (its task was cancelled).
    func cancelConnect() {
        guard state.pointee.phase == .connecting || state.pointee.phase == .greeting else { return }
        fail(.connectionLost(reason: "connecting was cancelled", brokerError: nil))
    }

    func flushRoundTrip(token: UInt64, _ continuation: CheckedContinuation<Void, any Error>) {
        guard isOpen(continuation) else { return }
        state.pointee.roundTrips[token] = .flush(continuation)
        track(token, "flush")
        send(ping(token: token))
        flush()
    }

    func subscribe(
        _ target: SubscriptionRoute.Target, typeIDs: [UInt16], token: UInt64,
        _ continuation: CheckedContinuation<Void, any Error>
    ) {
        guard isOpen(continuation) else {
            _ = target.finish(throwing: state.pointee.failure ?? MyceliumClientError.closed)
            return
        }
        guard !isRouted(target) else {
            continuation.resume(
                throwing: MyceliumClientError.invalidArgument(
                    "this handler is subscribed on this client already; subscribe it once with all its type ids, or use another handler object"
                ))
            return
        }
        addRoute(to: target, typeIDs: typeIDs)
        track(token, "SUBSCRIBE \(typeIDs.map(String.init).joined(separator: ", "))")
        sendWindowed(.subscribe(typeIDs), token: token, .subscribe(target, continuation))
    }

    /// Ends `target`'s subscription and unsubscribes the types no other subscription
    /// receives.
    func unsubscribe(
        _ target: SubscriptionRoute.Target, token: UInt64, _ continuation: CheckedContinuation<Void, any Error>
    ) {
        guard isOpen(continuation) else { return }
        let unused = removeRoutes(to: target, throwing: nil)
        guard !unused.isEmpty else {
            continuation.resume()
            return
        }
        track(token, "UNSUBSCRIBE \(unused.map(String.init).joined(separator: ", "))")
        sendWindowed(.unsubscribe(unused), token: token, .unsubscribe(continuation))
    }

    /// Sends STATS_REQUEST or CONNECTIONS_REQUEST (`request`); its document resumes
    /// `continuation`.
    func requestDocument(
        _ request: ControlFrame, token: UInt64, _ continuation: CheckedContinuation<String, any Error>
    ) {
        guard isOpen(continuation) else { return }
        // Neither carries a token: replies of a kind match its requests in order, so a
        // request given up on keeps its place (without a continuation) until its reply comes.
        let isStats = request == .statsRequest
        state.pointee.documentRequests.append((token, isStats ? .stats : .connections, continuation))
        track(token, isStats ? "STATS_REQUEST" : "CONNECTIONS_REQUEST")
        send(request)
        flush()
    }

    // MARK: Giving up

    /// Ends the wait of request `token` with `error` (its task was cancelled, or it timed
    /// out); its reply, when it comes, is dropped. Nothing happens when it completed already.
    func abandon(_ token: UInt64, with error: any Error) {
        state.pointee.deadlines[token] = nil
        guard let roundTrip = state.pointee.roundTrips[token] else {
            if let index = state.pointee.documentRequests.firstIndex(where: { $0.token == token }),
                let continuation = state.pointee.documentRequests[index].continuation.take()
            {
                continuation.resume(throwing: error)
            }
            return
        }
        switch roundTrip {
        case .windowStart, .abandoned:
            return
        case .ping(_, let continuation):
            state.pointee.roundTrips[token] = nil
            continuation.resume(throwing: error)
        case .flush(let continuation):
            state.pointee.roundTrips[token] = nil
            continuation.resume(throwing: error)
        case .unsubscribe(let continuation):
            // The window stays, so that an ERROR about the UNSUBSCRIBE is not taken for
            // one about a later frame.
            state.pointee.roundTrips[token] = .abandoned
            continuation.resume(throwing: error)
        case .subscribe(let target, let continuation):
            state.pointee.roundTrips[token] = .abandoned
            continuation.resume(throwing: error)
            let unused = removeRoutes(to: target, throwing: error)
            // The broker applies the SUBSCRIBE anyway; take back what no subscription receives.
            if !unused.isEmpty { sendWindowed(.unsubscribe(unused), token: takeToken(), .abandoned) }
        case .close:
            state.pointee.roundTrips[token] = nil
            endClose(error as? MyceliumClientError ?? .closed)
        }
    }

    /// Gives up on every request whose deadline has passed.
    func expireRequests() {
        guard let earliest = state.pointee.earliestDeadline else { return }
        let now = ContinuousClock.now
        guard earliest <= now else { return }
        let expired = state.pointee.deadlines.filter { $0.value.at <= now }.sorted { $0.key < $1.key }
        for (token, deadline) in expired {
            abandon(token, with: MyceliumClientError.timedOut(request: deadline.request, after: deadline.timeout))
        }
        state.pointee.earliestDeadline = state.pointee.deadlines.values.map(\.at).min()
    }

    // MARK: Closing

    /// Closes once the broker has handled every frame published before (a PING after them
    /// came back), or after `timeout`; at once when `timeout` is `nil` or nothing is left
    /// to confirm. `done` gets what went wrong: the timeout, the loss of the connection
    /// while frames were unconfirmed, or the first ERROR about a data frame not yet reported.
    func beginClose(timeout: Duration?, then done: (@Sendable (MyceliumClientError?) -> Void)?) {
        state.pointee.closeDone = done
        let published = outbox.withLock { $0.published }
        guard state.pointee.phase == .open, let timeout else {
            let unconfirmed = state.pointee.phase == .closed && published != state.pointee.confirmed
            endClose(unconfirmed ? state.pointee.failure : nil)
            return
        }
        guard published != state.pointee.confirmed else {
            endClose(state.pointee.unclaimedErrors.first.map(MyceliumClientError.broker))
            return
        }
        // Nobody reads the streams after close, and a paused one must not keep the PONG unread.
        endSubscriptions(throwing: MyceliumClientError.closed)
        let token = takeToken()
        state.pointee.roundTrips[token] = .close
        track(token, "the flush before close (frames published before close may be lost)", timeout: timeout)
        send(ping(token: token))
        flush()
    }

    /// Closes the connection, ends the loop's thread and reports `error` to ``beginClose(timeout:then:)``'s caller.
    func endClose(_ error: MyceliumClientError?) {
        let done = state.pointee.closeDone.take()
        fail(.closed)
        state.pointee.finished = true
        done?(error)
    }
}
