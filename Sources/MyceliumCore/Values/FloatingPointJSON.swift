/// The catalog's JSON for `float32` and `float64` fields: a number when finite, else one of
/// the strings `"nan"`, `"inf"` and `"-inf"` (JSON has no literal for them, and Foundation's
/// encoder refuses non-finite numbers unless told otherwise).
enum FloatingPointJSON {
    static func decode<Value: BinaryFloatingPoint & Decodable>(_ type: Value.Type, from decoder: any Decoder) throws -> Value {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            switch text {
            case "nan": return .nan
            case "inf": return .infinity
            case "-inf": return -.infinity
            default:
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "'\(text)' is not a number; write a JSON number, \"nan\", \"inf\" or \"-inf\"")
            }
        }
        return try container.decode(Value.self)
    }

    static func encode<Value: BinaryFloatingPoint & Encodable>(_ value: Value, to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if value.isNaN {
            try container.encode("nan")
        } else if value.isInfinite {
            try container.encode(value < 0 ? "-inf" : "inf")
        } else {
            try container.encode(value)
        }
    }
}
