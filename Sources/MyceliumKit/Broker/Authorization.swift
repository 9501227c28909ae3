import MyceliumHashing

/// Who may connect to a broker and what each user may publish and subscribe to: set as
/// ``BrokerConfiguration/authorization``. With it, every connection's first frame must be a
/// HELLO whose token hashes (SHA-256) to a user's ``User/tokenSHA256``; a connection that
/// does not do so gets ERROR 9 (not authorized) and is closed, and a frame outside the
/// user's permissions gets ERROR 10 (permission denied) and is refused on its own.
///
/// Only token hashes are kept. In-process publishers and subscribers are not checked.
///
/// ```swift
/// configuration.authorization = Authorization(users: [
///     .init(name: "pricer", tokenSHA256: hash, publish: .only([1101, 1102]), subscribe: .all),
/// ])
/// ```
public struct Authorization: Sendable, Hashable {
    /// The message types a user may publish, or subscribe to.
    public enum Permissions: Sendable, Hashable {
        /// Every type the broker routes.
        case all
        /// These type ids only; none when empty.
        case only(Set<UInt16>)

        /// Whether `typeID` is permitted.
        public func permits(_ typeID: UInt16) -> Bool {
            switch self {
            case .all: true
            case .only(let ids): ids.contains(typeID)
            }
        }
    }

    /// One user: a name for logs, the SHA-256 of their token and their permissions.
    public struct User: Sendable, Hashable {
        /// The user's name, for log lines.
        public var name: String
        /// The 32-byte SHA-256 digest of the user's token (`mycelium auth hash` prints it).
        public var tokenSHA256: [UInt8]
        /// The types the user may publish.
        public var publish: Permissions
        /// The types the user may subscribe to.
        public var subscribe: Permissions

        /// Creates a user.
        public init(name: String, tokenSHA256: [UInt8], publish: Permissions, subscribe: Permissions) {
            self.name = name
            self.tokenSHA256 = tokenSHA256
            self.publish = publish
            self.subscribe = subscribe
        }
    }

    /// The users; a token that matches none is refused.
    public var users: [User]

    /// Creates an authorization with `users`.
    public init(users: [User]) {
        self.users = users
    }

    /// The SHA-256 digest of `token`, as ``User/tokenSHA256`` holds it.
    ///
    /// ```swift
    /// let hash = Authorization.tokenSHA256("a-random-token-of-16+-bytes")
    /// ```
    public static func tokenSHA256(_ token: String) -> [UInt8] {
        SHA256.digest(of: token)
    }

    /// The index of the user whose hash is `digest`'s. Every user's hash is compared in
    /// full, so the time taken does not depend on where the first differing byte is.
    func user(matching digest: [UInt8]) -> Int? {
        var found: Int?
        for (index, user) in users.enumerated() {
            var difference: UInt8 = user.tokenSHA256.count == digest.count ? 0 : 1
            for position in 0..<min(digest.count, user.tokenSHA256.count) {
                difference |= user.tokenSHA256[position] ^ digest[position]
            }
            if difference == 0 && found == nil { found = index }
        }
        return found
    }

    /// Checks hashes, names and permitted ids against `table`, naming the first problem.
    func validate(against table: MessageTypeTable) throws(BrokerError) {
        let known = Set(table.entries.map(\.id))
        var names: Set<String> = []
        var hashes: Set<[UInt8]> = []
        for user in users {
            guard user.tokenSHA256.count == SHA256.byteCount else {
                throw .invalidConfiguration(
                    "user '\(user.name)' has a token hash of \(user.tokenSHA256.count) bytes; a SHA-256 hash has 32")
            }
            guard names.insert(user.name).inserted else {
                throw .invalidConfiguration("user '\(user.name)' appears twice; give each user one entry")
            }
            guard hashes.insert(user.tokenSHA256).inserted else {
                throw .invalidConfiguration("user '\(user.name)' has the same token hash as another user; give each a token")
            }
            for (what, permissions) in [("publish", user.publish), ("subscribe", user.subscribe)] {
                if case .only(let ids) = permissions, let unknown = ids.sorted().first(where: { !known.contains($0) }) {
                    throw .invalidConfiguration(
                        "user '\(user.name)' may \(what) type id \(unknown), which the broker does not route")
                }
            }
        }
    }
}
