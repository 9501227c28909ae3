/// CONNECTIONS: every loop describes its own connections on its own thread, and the loop
/// that was asked answers once all of them have; none of it is on the per-frame path.
extension BrokerLoop {
    /// Asks every loop, through its task queue, for its connections, and queues the
    /// CONNECTIONS reply on connection `serial` of this loop once the last loop answered.
    func requestConnections(replyingTo serial: Int) {
        let peers = router.peers
        let gathering = ConnectionsGathering(expected: peers.count) { [self] listing in
            eventLoop.execute { [self] in answerConnections(listing, serial: serial) }
        }
        for peer in peers { peer.eventLoop.execute { gathering.add(peer.describeConnections()) } }
    }

    /// This loop's open connections, as CONNECTIONS lists them.
    func describeConnections() -> [BrokerConnections.Connection] {
        let now = Self.coarseNow()
        return state.pointee.connections.compactMap { connection in
            guard !connection.pointee.isDead else { return nil }
            return BrokerConnections.Connection(
                id: connection.pointee.serial, name: connection.pointee.peerName,
                peer: Socket.peerAddress(connection.pointee.fd), transport: connection.pointee.isTCP ? "tcp" : "unix",
                ageSeconds: Self.seconds(now, since: connection.pointee.openedAt),
                idleSeconds: Self.seconds(now, since: connection.pointee.lastActive),
                subscriptions: connection.pointee.subscriptions, messagesIn: connection.pointee.messagesIn,
                bytesIn: connection.pointee.bytesIn, messagesOut: connection.pointee.messagesOut,
                bytesOut: connection.pointee.bytesOut, pendingBytes: connection.pointee.output.pendingBytes,
                dropped: connection.pointee.dropped)
        }
    }

    private func answerConnections(_ listing: BrokerConnections, serial: Int) {
        // The asker may have closed meanwhile; its memory may be gone, so look it up anew.
        guard
            let connection = state.pointee.connections.first(where: {
                $0.pointee.serial == serial && !$0.pointee.isDead && !$0.pointee.isClosing
            })
        else { return }
        send(.connections(listing.jsonDocument()), to: connection)
        flush(connection)
    }

    private static func seconds(_ now: UInt64, since start: UInt64) -> Double {
        Double(now &- min(now, start)) / 1e9
    }
}

/// The loops' answers to one CONNECTIONS request, gathered on whichever thread adds the
/// last one, which then hands the whole listing on.
final class ConnectionsGathering: Sendable {
    private struct State {
        var connections: [BrokerConnections.Connection] = []
        var missing: Int
    }

    private let state: Lock<State>
    private let done: @Sendable (BrokerConnections) -> Void

    init(expected: Int, done: @escaping @Sendable (BrokerConnections) -> Void) {
        state = Lock(State(missing: expected))
        self.done = done
    }

    /// Adds one loop's connections; the last call passes them all, by id, to `done`.
    func add(_ connections: [BrokerConnections.Connection]) {
        let complete = state.withLock { state -> [BrokerConnections.Connection]? in
            state.connections += connections
            state.missing -= 1
            return state.missing == 0 ? state.connections : nil
        }
        if let complete { done(BrokerConnections(connections: complete.sorted { $0.id < $1.id })) }
    }
}
