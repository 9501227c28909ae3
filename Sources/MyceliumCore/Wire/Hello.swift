/// The HELLO frame's content: protocol version, contract-set digest and peer name.
///
/// ```swift
/// let hello = Hello(digest: catalogDigest, peerName: "pricer-1")
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
    /// A name for logs; any UTF-8 text.
    public var peerName: String

    /// Creates a HELLO.
    ///
    /// - Precondition: `digest` has 32 bytes.
    public init(version: UInt16 = Hello.protocolVersion, digest: [UInt8] = Hello.uncheckedDigest, peerName: String) {
        precondition(digest.count == Self.digestByteCount, "a HELLO digest has 32 bytes, not \(digest.count)")
        self.version = version
        self.digest = digest
        self.peerName = peerName
    }

    /// Whether the digest asks for a check (is not all zero).
    public var checksDigest: Bool { digest.contains { $0 != 0 } }
}
