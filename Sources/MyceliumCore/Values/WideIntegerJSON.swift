/// Reads the catalog's JSON for integers wider than JSON numbers hold exactly: a decimal or
/// `0x` hex string (a leading `-` for signed types), or a JSON number that fits 64 bits.
enum WideIntegerJSON {
    static func decode<Value: FixedWidthInteger>(_ type: Value.Type, from decoder: any Decoder) throws -> Value {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = parse(text, as: Value.self) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription:
                        "'\(text)' is not a \(Value.bitWidth)-bit \(Value.isSigned ? "signed" : "unsigned") integer; "
                        + "write a decimal or 0x hex string in range")
            }
            return value
        }
        if Value.isSigned, let number = try? container.decode(Int64.self) { return Value(number) }
        if let number = try? container.decode(UInt64.self), let value = Value(exactly: number) { return value }
        throw DecodingError.dataCorruptedError(
            in: container, debugDescription: "expected a decimal or 0x hex string for a \(Value.bitWidth)-bit integer")
    }

    /// Parses decimal or `0x` hex digits (underscores allowed between them), with an optional
    /// leading `-`; `nil` when malformed or out of range.
    static func parse<Value: FixedWidthInteger>(_ text: String, as type: Value.Type) -> Value? {
        let negative = text.hasPrefix("-")
        let digits = negative ? text.dropFirst() : Substring(text)
        guard case .value(var magnitude) = WideInteger.parse(digits, limbCount: (Value.bitWidth + 63) / 64) else {
            return nil
        }
        if negative {
            guard Value.isSigned || magnitude.isZero else { return nil }
            magnitude.negate()
            guard magnitude.isZero || magnitude.topBitIsSet else { return nil }
        } else if Value.isSigned && magnitude.topBitIsSet {
            return nil
        }
        var value = Value.zero
        for (index, limb) in magnitude.limbs.enumerated() where index * 64 < Value.bitWidth {
            value |= Value(truncatingIfNeeded: limb) << (index * 64)
        }
        return value
    }
}
