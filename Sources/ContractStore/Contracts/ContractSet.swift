import Foundation

/// A validated contract file: its schema header, if any, and its messages in file order.
///
/// Build one with ``ContractParser``; the catalog stores it under ``key``.
public struct ContractSet: Sendable, Hashable {
    /// The optional `schema:` header.
    public struct Schema: Sendable, Hashable {
        /// The set's identity (`0x4D594345`); it owns the set's messages in a catalog.
        public let id: UInt64
        /// The set's version; raising it allows layout changes on re-import.
        public let version: Int
        /// The oldest version this one is compatible with.
        public let minCompatible: Int

        /// Creates a schema header.
        public init(id: UInt64, version: Int, minCompatible: Int) {
            self.id = id
            self.version = version
            self.minCompatible = minCompatible
        }
    }

    /// The file name as given (used when there is no schema id, and in history).
    public let source: String
    /// The schema header, if the file has one.
    public let schema: Schema?
    /// The messages in file order.
    public let messages: [MessageContract]

    /// Creates a set.
    public init(source: String, schema: Schema?, messages: [MessageContract]) {
        self.source = source
        self.schema = schema
        self.messages = messages
    }

    /// The key that owns this set's messages in a catalog: `schema 0x4D594345`, or without
    /// a schema id the file's name (`contracts.yaml`).
    public var key: String {
        if let schema { return "schema 0x" + String(schema.id, radix: 16, uppercase: true) }
        return URL(fileURLWithPath: source).lastPathComponent
    }

    /// The set's digest (Architecture.md): 32 bytes of SHA-256.
    public var digest: [UInt8] { ContractDigest.digest(of: messages) }
}
