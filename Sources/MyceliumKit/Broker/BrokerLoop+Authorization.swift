import MyceliumHashing

extension BrokerLoop {
    /// Checks a HELLO's token against the users (access control is on); on a match, gives
    /// the connection its user's permissions, else closes it with ERROR 9. Returns whether
    /// it matched. The token itself is never logged nor echoed.
    func authorize(
        _ connection: UnsafeMutablePointer<Connection>, token: String?, permissions: PermissionTable, name: String
    ) -> Bool {
        guard let token else {
            refuseUnauthorized(
                connection,
                "\(name) sent HELLO without a token; this broker requires one (mycelium: --token or MYCELIUM_TOKEN)")
            return false
        }
        let length = token.utf8.count
        guard length >= Hello.minTokenByteCount && length <= Hello.maxTokenByteCount else {
            refuseUnauthorized(
                connection,
                "\(name) sent a token of \(length) bytes; tokens have \(Hello.minTokenByteCount)-\(Hello.maxTokenByteCount) bytes"
            )
            return false
        }
        guard let user = permissions.authorization.user(matching: SHA256.digest(of: token)) else {
            refuseUnauthorized(connection, "\(name) sent a token that matches no user of this broker")
            return false
        }
        connection.pointee.user = user
        connection.pointee.publishPermits = permissions.publishRow(user)
        connection.pointee.subscribePermits = permissions.subscribeRow(user)
        return true
    }

    /// Counts a refusal and closes `connection` with ERROR 9 (not authorized).
    func refuseUnauthorized(_ connection: UnsafeMutablePointer<Connection>, _ reason: String) {
        state.pointee.counts.authRefusals += 1
        closeWith(connection, WireError(.notAuthorized, "\(reason); closing the connection"))
    }

    /// Counts a refusal and answers one frame with ERROR 10 (permission denied).
    func denyPermission(_ connection: UnsafeMutablePointer<Connection>, _ message: String) {
        state.pointee.counts.authRefusals += 1
        send(.error(WireError(.permissionDenied, message)), to: connection)
    }

    /// `connection #7 (user 'pricer')` for ERROR texts.
    func describe(_ connection: UnsafeMutablePointer<Connection>) -> String {
        let user = connection.pointee.user.flatMap { core.permissions?.authorization.users[$0].name }
        return "connection #\(connection.pointee.serial)" + (user.map { " (user '\($0)')" } ?? "")
    }
}
