/// The HELLO frame's content: protocol version, contract-set digest, peer name and an
/// optional access token.
///
/// On the wire the token follows the name after one NUL byte: `name NUL token`. A broker
/// that predates tokens reads everything after the digest as the name, NUL and token
/// included, and so still accepts the HELLO (it does not check tokens either).
///
/// ```swift
/// let hello = Hello(digest: catalogDigest, peerName: "pricer-1", token: "s3cret-token-0123")
/// ```
public struct Hello: Sendable, Hashable {
    /// The only protocol version there is.
    public static let protocolVersion: UInt16 = 1
    /// Bytes in a digest (SHA-256).
    public static let digestByteCount = 32
    /// The digest that means "don't check".
    public static let uncheckedDigest = [UInt8](repeating: 0, count: digestByteCount)

    /// The protocol version, 1.
    public var version: UInt16
    /// The contract set's 32-byte digest; all zero when the sender doesn't want it checked.
    public var digest: [UInt8]
    /// A name for logs; UTF-8 text without NUL (a NUL starts the token).
    public var peerName: String
    /// The access token, UTF-8 text without NUL; `nil` sends none (and no NUL).
    public var token: String?

    /// The fewest bytes a token may have: 16 random bytes cannot be guessed, so a fast hash
    /// of them is safe to store.
    public static let minTokenByteCount = 16
    /// The most bytes a token may have.
    public static let maxTokenByteCount = 1024

    /// Creates a HELLO.
    ///
    /// - Precondition: `digest` has 32 bytes; `peerName` has no NUL when a `token` is given.
    public init(
        version: UInt16 = Hello.protocolVersion, digest: [UInt8] = Hello.uncheckedDigest, peerName: String,
        token: String? = nil
    ) {
        precondition(digest.count == Self.digestByteCount, "a HELLO digest has 32 bytes, not \(digest.count)")
        precondition(token == nil || !peerName.utf8.contains(0), "a HELLO peer name with a token has no NUL")
        self.version = version
        self.digest = digest
        self.peerName = peerName
        self.token = token
    }

    /// Whether the digest asks for a check (is not all zero).
    public var checksDigest: Bool { digest.contains { $0 != 0 } }
}
