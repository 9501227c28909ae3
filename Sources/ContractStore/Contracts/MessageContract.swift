import MyceliumCore

/// A message type of a contract set: its id, name, metadata and ordered fields.
public struct MessageContract: Sendable, Hashable {
    /// The TLV type id, 1000-65535.
    public let typeID: UInt16
    /// The message name, unique in a catalog.
    public let name: String
    /// The domain it belongs to (`MarketData`), if the contract names one.
    public let domain: String?
    /// The free-text description, if any.
    public let summary: String?
    /// The per-message schema version (`v2`), if any.
    public let schemaVersion: String?
    /// The fields in wire order, with offsets.
    public let fields: [FieldContract]

    /// Creates a message; offsets of `fields` are expected to be consecutive from 0.
    public init(
        typeID: UInt16, name: String, domain: String?, summary: String?, schemaVersion: String?, fields: [FieldContract]
    ) {
        self.typeID = typeID
        self.name = name
        self.domain = domain
        self.summary = summary
        self.schemaVersion = schemaVersion
        self.fields = fields
    }

    /// The largest payload of this type: the sum of its field sizes, in bytes.
    public var maxPayload: Int { fields.reduce(0) { $0 + $1.size } }

    /// The size class this message falls in (Architecture.md: next power of two, at least 128).
    public var sizeClass: Int { SizeClassPlan.classSize(forPayload: max(1, maxPayload)) }

    /// The layout identity: ordered (field name, canonical type) pairs.
    public var layout: [String] { fields.map { "\($0.name) \($0.type.canonicalName)" } }

    /// The field named `name`, if any.
    public func field(named name: String) -> FieldContract? { fields.first { $0.name == name } }
}
