import Glibc

extension Broker {
    /// A new connection whose input the caller feeds from memory (``FedConnection``), on a
    /// socket pair; connections alternate between the loops as accepted ones do. The broker
    /// must run stepped (``startStepped()``), and this be called on the stepping thread.
    ///
    /// Public to the `Fuzzing` SPI only (`@_spi(Fuzzing) import MyceliumKit`).
    ///
    /// - Throws: ``BrokerError/engine(_:)`` when the socket pair cannot be made, or the loop
    ///   cannot watch it.
    @_spi(Fuzzing)
    public func openFedConnection() throws(BrokerError) -> FedConnection {
        let loops = steppedLoops
        precondition(!loops.isEmpty, "openFedConnection() needs a broker started with startStepped()")
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Socket.streamFlags, 0, &fds) == 0 else {
            throw .engine(EngineError("socketpair for a fed connection", code: errno))
        }
        let loop = loops[core.serials.load(ordering: .relaxed) % loops.count]
        core.connectionCount.add(1, ordering: .relaxed)
        guard let connection = loop.adopt(fds[0], isTCP: false) else {
            close(fds[1])
            throw .engine(EngineError("watch a fed connection (has the broker stopped?)", code: errno))
        }
        return FedConnection(peer: fds[1], loop: loop, connection: connection)
    }
}
