import MyceliumCore

/// Converts one message type between JSON and payload bytes, driven by its contract and
/// rendered as Architecture.md says:
///
/// | type | JSON out | JSON in, also accepted |
/// |---|---|---|
/// | integers up to 64 bits | number | decimal or `0x` hex string |
/// | `uint128`, `int128`, `uint256` | decimal string | `0x` hex string, integer literal of any length |
/// | `Address`, `FixedVec<uint8, N>` | `0x` lowercase hex | array of numbers; fewer than N bytes for vectors |
/// | `FixedStr<N>` | text up to the first NUL | |
/// | other `FixedVec<T, N>` | array of all N elements | fewer elements (the rest zero) |
/// | `bool` | `true` / `false` | |
/// | `float32`, `float64` | number (`"nan"`, `"inf"`, `"-inf"` when not finite) | the same strings |
///
/// Payloads are exactly the layout size (``MessageContract/maxPayload``). A number written
/// with a fraction or an exponent is refused for an integer field ("quote it as a string").
///
/// ```swift
/// let codec = MessageCodec(try catalog.message("Trade"))
/// let payload = try codec.encode(json: #"{"instrument_id":7,"price":-5,"quantity":1,"side":1,"timestamp_ns":0}"#)
/// let json = try codec.decode(payload).text
/// ```
public struct MessageCodec: Sendable {
    /// The message type this codec reads and writes.
    public let message: MessageContract

    /// Creates a codec for `message`.
    public init(_ message: MessageContract) {
        self.message = message
    }

    /// Encodes a JSON object with every field of the message.
    ///
    /// - Throws: ``CodecError`` for invalid JSON, an unknown, missing or repeated field, or a
    ///   value that does not fit its field.
    public func encode(json: String) throws(CodecError) -> [UInt8] {
        try encode(JSONValue(parsing: json))
    }

    /// Encodes a JSON object with every field of the message.
    ///
    /// - Throws: ``CodecError`` (see ``encode(json:)``).
    public func encode(_ value: JSONValue) throws(CodecError) -> [UInt8] {
        guard case .object(let members) = value else {
            throw CodecError(.wrongType, field: nil, "\(message.name) must be a JSON object of its fields, got \(value.kind)")
        }
        var given: [String: JSONValue] = [:]
        for member in members {
            guard message.field(named: member.key) != nil else {
                let known = message.fields.map(\.name).joined(separator: ", ")
                throw CodecError(.unknownField, field: member.key, "\(message.name) has no such field; its fields are \(known)")
            }
            guard given.updateValue(member.value, forKey: member.key) == nil else {
                throw CodecError(.unknownField, field: member.key, "given twice; give each field once")
            }
        }
        var payload = [UInt8](repeating: 0, count: message.maxPayload)
        for field in message.fields {
            guard let value = given[field.name] else {
                throw CodecError(
                    .missingField, field: field.name, "missing; \(message.name) needs every field (\(field.type.canonicalName))")
            }
            try Self.write(value, as: field.type, path: field.name, into: &payload, at: field.offset)
        }
        return payload
    }

    /// Decodes a payload of exactly ``MessageContract/maxPayload`` bytes into a JSON object
    /// with the fields in wire order.
    ///
    /// - Throws: ``CodecError`` for a payload of the wrong length, a `bool` byte other than 0
    ///   or 1, or a `FixedStr` that is not UTF-8.
    public func decode(_ payload: some Collection<UInt8>) throws(CodecError) -> JSONValue {
        let bytes = Array(payload)
        guard bytes.count == message.maxPayload else {
            throw CodecError(
                .wrongLength, field: nil, "payload is \(bytes.count) bytes; \(message.name) takes exactly \(message.maxPayload)")
        }
        var members: [(key: String, value: JSONValue)] = []
        for field in message.fields {
            members.append((field.name, try Self.read(field.type, path: field.name, from: bytes, at: field.offset)))
        }
        return .object(members)
    }

    // MARK: Writing

    private static func write(
        _ value: JSONValue, as type: FieldType, path: String, into payload: inout [UInt8], at offset: Int
    ) throws(CodecError) {
        switch type {
        case .bool:
            guard case .bool(let flag) = value else { throw mismatch(value, "true or false", path) }
            payload[offset] = flag ? 1 : 0
        case .float32:
            let number = try float(value, path: path, parse: { Float($0).map(Double.init) }, name: "float32")
            payload.replaceSubrange(offset..<offset + 4, with: littleEndian(UInt64(Float(number).bitPattern), count: 4))
        case .float64:
            let number = try float(value, path: path, parse: { Double($0) }, name: "float64")
            payload.replaceSubrange(offset..<offset + 8, with: littleEndian(number.bitPattern, count: 8))
        case .address, .fixedVec(.uint8, _):
            let bytes = try byteString(value, exactly: type == .address, count: type.size, path: path)
            payload.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        case .fixedStr(let count):
            guard case .string(let text) = value else { throw mismatch(value, "a string", path) }
            let utf8 = Array(text.utf8)
            guard utf8.count <= count else {
                throw CodecError(
                    .wrongLength, field: path, "is \(utf8.count) bytes of UTF-8, longer than FixedStr<\(count)>; shorten it")
            }
            guard !utf8.contains(0) else {
                throw CodecError(.invalidValue, field: path, "contains a NUL character, which FixedStr uses as padding")
            }
            payload.replaceSubrange(offset..<offset + utf8.count, with: utf8)
        case .fixedVec(let element, let count):
            guard case .array(let elements) = value else { throw mismatch(value, "an array of up to \(count) elements", path) }
            guard elements.count <= count else {
                throw CodecError(
                    .wrongLength, field: path, "has \(elements.count) elements; \(type.canonicalName) holds at most \(count)")
            }
            for (index, item) in elements.enumerated() {
                try write(item, as: element, path: "\(path)[\(index)]", into: &payload, at: offset + index * element.size)
            }
        default:
            let bytes = try integer(value, as: type, path: path)
            payload.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        }
    }

    /// The little-endian two's-complement bytes of an integer field.
    private static func integer(_ value: JSONValue, as type: FieldType, path: String) throws(CodecError) -> [UInt8] {
        let text: String
        switch value {
        case .number(let literal):
            guard !literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
                throw CodecError(
                    .invalidValue, field: path,
                    "\(literal) is not a whole number as written, so it cannot be read exactly as \(type.canonicalName); "
                        + "write its digits, or quote it as a string")
            }
            text = literal
        case .string(let string): text = string
        default: throw mismatch(value, "an integer (a number, or a decimal or 0x hex string)", path)
        }
        let size = type.size
        let bits = size * 8
        let signed = [.int8, .int16, .int32, .int64, .int128].contains(type)
        let negative = text.hasPrefix("-")
        let outOfRange = CodecError(
            .outOfRange, field: path, "\(text) is out of range for \(type.canonicalName) (\(range(bits: bits, signed: signed)))")
        var magnitude: WideInteger
        switch WideInteger.parse(negative ? text.dropFirst() : Substring(text), limbCount: max(1, size / 8)) {
        case .value(let value): magnitude = value
        case .tooLarge: throw outOfRange
        case .malformed:
            throw CodecError(
                .invalidValue, field: path, "'\(text)' is not an integer; write a number, or a decimal or 0x hex string")
        }
        if negative && !magnitude.isZero {
            guard signed else { throw outOfRange }
            if bits < 64 {
                guard magnitude.limbs[0] <= 1 << (bits - 1) else { throw outOfRange }
                magnitude.negate()
            } else {
                magnitude.negate()
                guard magnitude.topBitIsSet else { throw outOfRange }
            }
        } else if bits < 64 {
            guard magnitude.limbs[0] >> (signed ? bits - 1 : bits) == 0 else { throw outOfRange }
        } else if signed {
            guard !magnitude.topBitIsSet else { throw outOfRange }
        }
        return Array(magnitude.littleEndianBytes.prefix(size))
    }

    private static func range(bits: Int, signed: Bool) -> String {
        switch (bits, signed) {
        case (64, false): "0 to \(UInt64.max)"
        case (64, true): "\(Int64.min) to \(Int64.max)"
        case (_, false) where bits < 64: "0 to \((1 << bits) - 1)"
        case (_, true) where bits < 64: "\(-(1 << (bits - 1))) to \((1 << (bits - 1)) - 1)"
        case (_, false): "0 to 2^\(bits)-1"
        default: "-2^\(bits - 1) to 2^\(bits - 1)-1"
        }
    }

    private static func float(
        _ value: JSONValue, path: String, parse: (String) -> Double?, name: String
    ) throws(CodecError) -> Double {
        switch value {
        case .number(let literal):
            guard let number = parse(literal), number.isFinite else {
                throw CodecError(.outOfRange, field: path, "\(literal) is out of range for \(name)")
            }
            return number
        case .string("nan"): return .nan
        case .string("inf"): return .infinity
        case .string("-inf"): return -.infinity
        default: throw mismatch(value, "a number (or \"nan\", \"inf\", \"-inf\")", path)
        }
    }

    /// Bytes from `0x` hex or an array of numbers 0-255.
    private static func byteString(_ value: JSONValue, exactly: Bool, count: Int, path: String) throws(CodecError) -> [UInt8] {
        let what = exactly ? "an Address (0x and 40 hex digits)" : "0x hex or an array of up to \(count) bytes"
        var bytes: [UInt8] = []
        switch value {
        case .string(let text):
            guard text.hasPrefix("0x") || text.hasPrefix("0X") else {
                throw CodecError(.invalidValue, field: path, "'\(text)' is not \(what)")
            }
            guard text.count % 2 == 0 else {
                throw CodecError(.invalidValue, field: path, "'\(text)' has an odd number of hex digits")
            }
            guard let parsed = HexBytes.parse(text) else {
                throw CodecError(.invalidValue, field: path, "'\(text)' is not \(what)")
            }
            bytes = parsed
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                guard case .number(let literal) = element, let byte = UInt8(literal) else {
                    throw CodecError(.invalidValue, field: "\(path)[\(index)]", "\(element.text) is not a byte (0 to 255)")
                }
                bytes.append(byte)
            }
        default:
            throw mismatch(value, what, path)
        }
        if exactly && bytes.count != count {
            throw CodecError(.wrongLength, field: path, "has \(bytes.count) bytes; an Address is exactly \(count)")
        }
        guard bytes.count <= count else {
            throw CodecError(.wrongLength, field: path, "has \(bytes.count) bytes; the field holds at most \(count)")
        }
        return bytes
    }

    private static func mismatch(_ value: JSONValue, _ expected: String, _ path: String) -> CodecError {
        CodecError(.wrongType, field: path, "expected \(expected), got \(value.kind)")
    }

    private static func littleEndian(_ value: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    // MARK: Reading

    private static func read(_ type: FieldType, path: String, from bytes: [UInt8], at offset: Int) throws(CodecError) -> JSONValue
    {
        let slice = bytes[offset..<offset + type.size]
        switch type {
        case .bool:
            let byte = slice[slice.startIndex]
            guard byte <= 1 else { throw CodecError(.invalidValue, field: path, "holds \(byte), not a bool (0 or 1)") }
            return .bool(byte == 1)
        case .float32:
            return floatValue(Float(bitPattern: UInt32(truncatingIfNeeded: WideInteger(littleEndian: slice).limbs[0])))
        case .float64:
            return floatValue(Double(bitPattern: WideInteger(littleEndian: slice).limbs[0]))
        case .address, .fixedVec(.uint8, _):
            return .string("0x" + HexBytes.digits(slice))
        case .fixedStr:
            let text = slice.prefix { $0 != 0 }
            guard let string = String(validating: text, as: UTF8.self) else {
                throw CodecError(.invalidValue, field: path, "holds bytes that are not UTF-8 text")
            }
            return .string(string)
        case .fixedVec(let element, let count):
            var elements: [JSONValue] = []
            for index in 0..<count {
                elements.append(try read(element, path: "\(path)[\(index)]", from: bytes, at: offset + index * element.size))
            }
            return .array(elements)
        default:
            var value = WideInteger(littleEndian: slice)
            let signed = [.int8, .int16, .int32, .int64, .int128].contains(type)
            if type.size <= 8 {
                let raw = value.limbs[0]
                let shift = UInt64(64 - type.size * 8)
                return .number(signed ? String(Int64(bitPattern: raw << shift) >> shift) : String(raw))
            }
            let negative = signed && value.topBitIsSet
            if negative { value.negate() }
            return .string((negative ? "-" : "") + value.decimal)
        }
    }

    /// A float as its shortest round-trip text (a valid JSON number), or a string when not finite.
    private static func floatValue(_ number: some BinaryFloatingPoint & CustomStringConvertible) -> JSONValue {
        if number.isNaN { return .string("nan") }
        if number.isInfinite { return .string(number < 0 ? "-inf" : "inf") }
        return .number(number.description)
    }
}

extension JSONValue {
    /// The kind of value, for messages: `a string`, `an array`, ...
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a bool"
        case .number(let literal): "the number \(literal)"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
