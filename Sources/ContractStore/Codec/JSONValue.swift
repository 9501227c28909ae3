import MyceliumCore

/// A JSON value as the codec reads and writes it. Numbers keep their literal text, so a
/// 64-bit or 256-bit integer is never rounded through `Double`; objects keep their key order.
///
/// ```swift
/// let value = try JSONValue(parsing: #"{"price": 18446744073709551615}"#)
/// value.text   // {"price":18446744073709551615}
/// ```
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number, as its literal text (RFC 8259 grammar, validated by the reader).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order.
    case object([(key: String, value: JSONValue)])

    /// Parses one JSON document (RFC 8259), allowing surrounding whitespace.
    ///
    /// - Throws: ``CodecError`` naming the byte offset of the first problem.
    public init(parsing text: String) throws(CodecError) {
        var reader = JSONReader(Array(text.utf8))
        self = try reader.document()
    }

    /// The value as compact JSON text.
    public var text: String {
        var output = ""
        write(to: &output)
        return output
    }

    /// The member named `key` of an object, if any.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        default: false
        }
    }

    private func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let literal): output += literal
        case .string(let string): output.appendJSONQuoted(string)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { output += "," }
                output.appendJSONQuoted(member.key)
                output += ":"
                member.value.write(to: &output)
            }
            output += "}"
        }
    }
}
