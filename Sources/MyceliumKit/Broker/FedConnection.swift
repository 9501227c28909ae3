import Glibc

/// A connection of a broker run stepped (``Broker/startStepped()``) whose input the caller
/// feeds from memory, on the stepping thread: each ``feed(_:)`` is handled as one read of
/// the connection's socket would be, by the broker loop's own read, parse and routing code,
/// without a socket write and `recv` in between. What the broker sends the connection
/// (ERROR, PONG, deliveries) is written to its socket, whose other end is ``peer``.
///
/// Made by ``Broker/openFedConnection()``; dropping it ends its input (as the peer closing
/// its side does) and closes ``peer``. Public to the `Fuzzing` SPI only.
///
/// ```swift
/// let connection = try broker.openFedConnection()
/// bytes.withUnsafeBytes { _ = connection.feed($0) }   // parsed and routed now
/// connection.end()                                     // the broker closes it
/// ```
@_spi(Fuzzing) public final class FedConnection {
    /// The other end of the connection's socket: what the broker sent it arrives here.
    public let peer: Int32
    private let loop: BrokerLoop
    /// `nil` once the broker has closed the connection (and freed it).
    private var connection: UnsafeMutablePointer<Connection>?

    init(peer: Int32, loop: BrokerLoop, connection: UnsafeMutablePointer<Connection>) {
        self.peer = peer
        self.loop = loop
        self.connection = connection.pointee.isDead ? nil : connection
    }

    deinit {
        end()
        close(peer)
    }

    /// Whether the broker still has the connection open (not after it stopped).
    public var isOpen: Bool { connection != nil && !loop.isFinished }

    /// Hands `bytes` to the broker as the next bytes the connection's socket brings; returns
    /// whether the connection is still open afterwards (`false`: the broker closed it, and
    /// the rest of `bytes` may be unread).
    @discardableResult
    public func feed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // A stopped broker's loop has freed its connections.
        guard let connection, !loop.isFinished else { return false }
        if !loop.feed(connection, bytes, ended: false) { self.connection = nil }
        return isOpen
    }

    /// Ends the connection's input, as the peer shutting down its side does: the broker
    /// handles what it holds and closes the connection.
    public func end() {
        guard let connection, !loop.isFinished else { return }
        _ = loop.feed(connection, UnsafeRawBufferPointer(start: nil, count: 0), ended: true)
        self.connection = nil
    }
}
