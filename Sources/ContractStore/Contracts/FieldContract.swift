/// One field of a message, at its place in the wire layout.
public struct FieldContract: Sendable, Hashable {
    /// 0-based position in declaration (wire) order.
    public let ordinal: Int
    /// The field name.
    public let name: String
    /// The type as the contract spelled it (`[u8; 20]`, `String`, `u64`), for display.
    public let declaredType: String
    /// The canonical type; it decides the size and the JSON rendering.
    public let type: FieldType
    /// Byte offset of the field in the payload.
    public let offset: Int
    /// The field's free-text description, if the contract gives one.
    public let summary: String?

    /// Creates a field.
    public init(ordinal: Int, name: String, declaredType: String, type: FieldType, offset: Int, summary: String? = nil) {
        self.ordinal = ordinal
        self.name = name
        self.declaredType = declaredType
        self.type = type
        self.offset = offset
        self.summary = summary
    }

    /// Encoded size in bytes.
    public var size: Int { type.size }
}
