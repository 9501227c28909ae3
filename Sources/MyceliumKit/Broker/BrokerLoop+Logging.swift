import Logging

extension BrokerLoop {
    /// What log lines say about a connection: its number, the name its HELLO gave, and its
    /// peer's address (read from the socket only when a line is written).
    func metadata(_ connection: UnsafeMutablePointer<Connection>) -> Logger.Metadata {
        [
            "connection": "#\(connection.pointee.serial)",
            "name": "\(connection.pointee.peerName ?? "(no HELLO)")",
            "peer": "\(Socket.peerAddress(connection.pointee.fd))",
        ]
    }
}
