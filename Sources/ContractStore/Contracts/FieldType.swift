/// The canonical type of a contract field: one case per row of Architecture.md's size table.
///
/// Every spelling a contract may use (`u64`, `[u8; 20]`, `String` with `max_length`, ...)
/// maps to exactly one `FieldType`; its ``canonicalName`` is what the catalog stores and the
/// digest covers.
public enum FieldType: Sendable, Hashable {
    /// Unsigned integers of 1, 2, 4, 8 and 16 bytes.
    case uint8, uint16, uint32, uint64, uint128
    /// Two's-complement integers of 1, 2, 4, 8 and 16 bytes.
    case int8, int16, int32, int64, int128
    /// A 32-byte unsigned integer.
    case uint256
    /// IEEE 754 binary32 and binary64.
    case float32, float64
    /// One byte, 0 or 1.
    case bool
    /// A 20-byte address.
    case address
    /// UTF-8 text of at most `count` bytes, NUL-padded to `count`.
    case fixedStr(count: Int)
    /// `count` elements of `element`, unused trailing slots zeroed.
    indirect case fixedVec(element: FieldType, count: Int)

    /// The scalar types by canonical name, in size-table order.
    static let scalars: [(name: String, type: FieldType)] = [
        ("uint8", .uint8), ("int8", .int8), ("bool", .bool),
        ("uint16", .uint16), ("int16", .int16),
        ("uint32", .uint32), ("int32", .int32), ("float32", .float32),
        ("uint64", .uint64), ("int64", .int64), ("float64", .float64),
        ("uint128", .uint128), ("int128", .int128),
        ("uint256", .uint256),
        ("Address", .address),
    ]

    /// Encoded size in bytes (little-endian, packed).
    ///
    /// For vectors this is `count * element.size`; the parser rejects types whose size does
    /// not fit a frame, so the product cannot overflow for a validated type.
    public var size: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64: 8
        case .uint128, .int128: 16
        case .uint256: 32
        case .address: 20
        case .fixedStr(let count): count
        case .fixedVec(let element, let count): element.size * count
        }
    }

    /// The one spelling the catalog stores: `uint64`, `Address`, `FixedStr<32>`,
    /// `FixedVec<uint8, 20>`.
    public var canonicalName: String {
        switch self {
        case .fixedStr(let count): "FixedStr<\(count)>"
        case .fixedVec(let element, let count): "FixedVec<\(element.canonicalName), \(count)>"
        default: Self.scalars.first { $0.type == self }?.name ?? ""
        }
    }

    /// True for `FixedVec<uint8, N>` however it was spelled: rendered as `0x` hex in JSON.
    public var isByteVector: Bool {
        if case .fixedVec(.uint8, _) = self { return true }
        return false
    }
}
