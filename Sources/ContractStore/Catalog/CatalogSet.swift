/// One contract set stored in a catalog.
public struct CatalogSet: Sendable, Hashable {
    /// The owning key: `schema 0x4D594345`, or the file name for a set without a schema id.
    public let key: String
    /// The schema id, if the set has one.
    public let schemaID: UInt64?
    /// The set's `schema.version` (1 without a schema header).
    public let version: Int
    /// The set's 32-byte digest.
    public let digest: [UInt8]
    /// The file it was imported from.
    public let source: String
    /// When it was last imported (ISO 8601, UTC).
    public let importedAt: String
    /// How many messages it holds.
    public let messageCount: Int
}
