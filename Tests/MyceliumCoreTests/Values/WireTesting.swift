import Foundation
import MyceliumCore

/// Encodes `value` to its wire bytes.
func wireBytes<Value: WireValue>(_ value: Value) -> [UInt8] {
    var bytes = [UInt8](repeating: 0xEE, count: Value.wireSize)
    bytes.withUnsafeMutableBytes { value.write(wireBytes: $0.baseAddress!) }
    return bytes
}

/// Decodes a value from wire bytes (exactly `wireSize` of them).
func fromWire<Value: WireValue>(_ bytes: [UInt8], as type: Value.Type = Value.self) -> Value {
    precondition(bytes.count == Value.wireSize)
    return bytes.withUnsafeBytes { Value(wireBytes: $0.baseAddress!) }
}

/// A one-field JSON object, so that values are encoded as fields of a message are.
struct JSONField<Value: WireValue>: Codable {
    var value: Value

    init(_ value: Value) { self.value = value }

    enum CodingKeys: String, CodingKey { case value }

    init(from decoder: any Decoder) throws {
        value = try Value(json: decoder.container(keyedBy: CodingKeys.self).superDecoder(forKey: .value))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try value.encodeJSON(to: container.superEncoder(forKey: .value))
    }
}

/// `{"value":...}` for `value`, with the catalog's rendering.
func json<Value: WireValue>(_ value: Value) throws -> String {
    String(decoding: try JSONEncoder().encode(JSONField(value)), as: UTF8.self)
}

/// The value of `{"value":<text>}`.
func decodeJSON<Value: WireValue>(_ text: String, as type: Value.Type = Value.self) throws -> Value {
    try JSONDecoder().decode(JSONField<Value>.self, from: Data(#"{"value":\#(text)}"#.utf8)).value
}
