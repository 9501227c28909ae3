import ContractStore
import Foundation
import MyceliumCore

/// The golden output in `Tests/ContractStoreTests/Generated` and the fixture it comes from.
enum GeneratedCode {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Generated")

    /// The generator and contracts the golden files were made with.
    static let generator = SwiftGenerator(name: "EveryType", access: .internal, source: "every-type.yaml")

    static func messages() throws -> [MessageContract] {
        try ContractParser.parse(yaml: Fixture.text("every-type.yaml"), file: "every-type.yaml").set.messages
    }

    /// `value`'s payload bytes.
    static func payload(of value: some MyceliumMessage) -> [UInt8] {
        var bytes = [UInt8](repeating: 0xEE, count: type(of: value).payloadSize)
        bytes.withUnsafeMutableBytes { value.encode(into: $0) }
        return bytes
    }

    /// The message read back from `bytes`.
    static func decode<Message: MyceliumMessage>(_ bytes: [UInt8], as type: Message.Type) throws -> Message {
        try bytes.withUnsafeBytes { try Message(payload: $0) }
    }

    /// A JSON value with every object's members sorted by key and `.0` dropped from numbers,
    /// to compare documents from writers that order keys and write whole floats differently
    /// (`JSONEncoder` writes `-2`, the codec `-2.0`).
    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .number(let literal) where literal.hasSuffix(".0"): .number(String(literal.dropLast(2)))
        case .object(let members): .object(members.map { ($0.key, normalized($0.value)) }.sorted { $0.0 < $1.0 })
        case .array(let elements): .array(elements.map(normalized))
        default: value
        }
    }
}
