import Logging

extension BrokerLoop {
    /// What log lines say about a connection: its number, the name its HELLO gave, its
    /// peer's address (read from the socket only when a line is written) and, with access
    /// control, its user. Never its token.
    func metadata(_ connection: UnsafeMutablePointer<Connection>) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "connection": "#\(connection.pointee.serial)",
            "name": "\(connection.pointee.peerName ?? "(no HELLO)")",
            "peer": "\(Socket.peerAddress(connection.pointee.fd))",
        ]
        if let user = connection.pointee.user, let permissions = core.permissions {
            metadata["user"] = "\(permissions.authorization.users[user].name)"
        }
        return metadata
    }
}
