/// CONNECTIONS: every loop describes its own connections on its own thread, and the loop
/// that was asked answers once all of them have; none of it is on the per-frame path.
extension BrokerLoop {
    /// Asks every loop, through its task queue, for its connections, and queues the
    /// CONNECTIONS reply on connection `serial` of this loop once the last loop answered.
    func requestConnections(replyingTo serial: Int) {
        LoopGathering.ask(
            router, { $0.describeConnections() },
            done: { [self] parts in
                let listing = BrokerConnections(connections: parts.joined().sorted { $0.id < $1.id })
                eventLoop.execute { [self] in answerConnections(listing, serial: serial) }
            })
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

    /// The bytes queued on this loop's connections and not yet written.
    func pendingBytes() -> Int {
        state.pointee.connections.reduce(0) { $0 + ($1.pointee.isDead ? 0 : $1.pointee.output.pendingBytes) }
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
