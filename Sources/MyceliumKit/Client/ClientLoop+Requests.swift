extension ClientLoop {
    /// Fails `continuation` unless the connection is open; returns whether it is.
    private func isOpen<Value>(_ continuation: CheckedContinuation<Value, any Error>) -> Bool {
        guard state.pointee.phase == .open else {
            continuation.resume(throwing: state.pointee.failure ?? MyceliumClientError.closed)
            return false
        }
        return true
    }

    private func takeToken() -> UInt64 {
        defer { state.pointee.nextToken &+= 1 }
        return state.pointee.nextToken
    }

    private func ping(token: UInt64) -> ControlFrame {
        .ping(withUnsafeBytes(of: token.littleEndian, Array.init))
    }

    /// Sends `frame` between two PINGs, so that an ERROR about it is told apart from
    /// ERRORs about anything sent before or after; `roundTrip` completes at the second PONG.
    private func sendWindowed(_ frame: ControlFrame, _ roundTrip: PendingRoundTrip) {
        let start = takeToken()
        let end = takeToken()
        state.pointee.roundTrips[start] = .windowStart(closes: end)
        state.pointee.roundTrips[end] = roundTrip
        send(ping(token: start))
        send(frame)
        send(ping(token: end))
        flush()
    }

    func ping(_ continuation: CheckedContinuation<Duration, any Error>) {
        guard isOpen(continuation) else { return }
        let token = takeToken()
        state.pointee.roundTrips[token] = .ping(sentAt: .now, continuation)
        send(ping(token: token))
        flush()
    }

    func flushRoundTrip(_ continuation: CheckedContinuation<Void, any Error>) {
        guard isOpen(continuation) else { return }
        let token = takeToken()
        state.pointee.roundTrips[token] = .flush(continuation)
        send(ping(token: token))
        flush()
    }

    func subscribe(_ queue: MessageQueue, typeIDs: [UInt16], _ continuation: CheckedContinuation<Void, any Error>) {
        guard isOpen(continuation) else {
            queue.finish(throwing: state.pointee.failure ?? MyceliumClientError.closed)
            return
        }
        for typeID in Set(typeIDs) { state.pointee.routes[typeID, default: []].append(queue) }
        sendWindowed(.subscribe(typeIDs), .subscribe(queue: queue, typeIDs: typeIDs, continuation))
    }

    func unsubscribe(_ queue: MessageQueue, typeIDs: [UInt16], _ continuation: CheckedContinuation<Void, any Error>) {
        guard isOpen(continuation) else { return }
        let unused = removeRoutes(to: queue, typeIDs: typeIDs)
        if queue.finish(throwing: nil) { resumeReading() }
        guard !unused.isEmpty else {
            continuation.resume()
            return
        }
        sendWindowed(.unsubscribe(unused), .unsubscribe(continuation))
    }

    func requestStats(_ continuation: CheckedContinuation<String, any Error>) {
        guard isOpen(continuation) else { return }
        state.pointee.statsRequests.append(continuation)
        send(.statsRequest)
        flush()
    }
}
