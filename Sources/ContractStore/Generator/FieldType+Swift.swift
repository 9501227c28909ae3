extension FieldType {
    /// The Swift type a generated message uses for a field of this type.
    var swiftType: String {
        switch self {
        case .uint8: "UInt8"
        case .uint16: "UInt16"
        case .uint32: "UInt32"
        case .uint64: "UInt64"
        case .uint128: "UInt128"
        case .int8: "Int8"
        case .int16: "Int16"
        case .int32: "Int32"
        case .int64: "Int64"
        case .int128: "Int128"
        case .uint256: "UInt256"
        case .float32: "Float"
        case .float64: "Double"
        case .bool: "Bool"
        case .address: "Address"
        case .fixedStr(let count): "FixedString<\(count)>"
        case .fixedVec(let element, let count): "FixedArray<\(count), \(element.swiftType)>"
        }
    }
}
