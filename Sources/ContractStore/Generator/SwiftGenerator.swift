import Foundation
import MyceliumCore

/// Writes Swift source for a contract set: per message a struct conforming to
/// `MyceliumMessage`, `Hashable` and `Codable`, and one enum (``name``) with the set's
/// `MessageTypeTable`, digest and message types. `mycelium generate swift` and the
/// `MyceliumGenerator` build plugin both run it.
///
/// The output depends only on the messages and the options (same input, same bytes) and is
/// formatted as `swift format` formats it.
///
/// ```swift
/// let parsed = try ContractParser.parse(yaml: yaml, file: "contracts.yaml")
/// let generator = SwiftGenerator(source: "contracts.yaml")
/// let files = try generator.files(for: parsed.set.messages)   // Trade.swift, ..., Contracts.swift
/// ```
public struct SwiftGenerator: Sendable {
    /// The access level of the generated declarations.
    public enum Access: String, Sendable, CaseIterable {
        case `public`
        case `internal`
    }

    /// The name of the enum that lists the messages.
    public var name: String
    /// The access level of every generated declaration.
    public var access: Access
    /// Where the contracts came from, named in each file's header (a file name, not a path,
    /// so that the output does not depend on where it was generated).
    public var source: String

    /// Creates a generator.
    public init(name: String = "Contracts", access: Access = .public, source: String) {
        self.name = name
        self.access = access
        self.source = source
    }

    /// One file per message (`Trade.swift`) and one for the enum (`Contracts.swift`).
    ///
    /// - Throws: ``GeneratorError`` listing every name that cannot be a Swift identifier or
    ///   collides with a name the generated code needs.
    public func files(for messages: [MessageContract]) throws(GeneratorError) -> [GeneratedFile] {
        let sorted = try check(messages)
        return sorted.map { GeneratedFile(name: "\($0.name).swift", contents: file([declaration(of: $0)])) }
            + [GeneratedFile(name: "\(name).swift", contents: file([enumDeclaration(sorted)]))]
    }

    /// Every declaration in one file named `fileName`, as the build plugin writes it.
    ///
    /// - Throws: ``GeneratorError`` as ``files(for:)``.
    public func singleFile(named fileName: String, for messages: [MessageContract]) throws(GeneratorError) -> GeneratedFile {
        let sorted = try check(messages)
        return GeneratedFile(name: fileName, contents: file(sorted.map(declaration(of:)) + [enumDeclaration(sorted)]))
    }

    // MARK: Checking names

    /// The messages in type id order, once every name is usable.
    private func check(_ messages: [MessageContract]) throws(GeneratorError) -> [MessageContract] {
        var problems: [String] = []
        if let problem = SwiftNaming.typeNameProblem(name) {
            problems.append("the enum name '\(name)' \(problem); pass another --name")
        }
        for message in messages {
            if let problem = SwiftNaming.typeNameProblem(message.name) {
                problems.append("message \(message.name): the name \(problem); rename the message in the contracts")
            } else if message.name == name {
                problems.append(
                    "message \(message.name): the name is the enum's (--name \(name)); pass another --name or rename the message")
            }
            var owners: [String: String] = [:]
            for field in message.fields {
                let property = SwiftNaming.propertyName(field.name)
                if let problem = SwiftNaming.propertyNameProblem(property) {
                    problems.append(
                        "message \(message.name), field \(field.name): its Swift name '\(property)' \(problem); rename the field")
                } else if let other = owners.updateValue(field.name, forKey: property) {
                    problems.append(
                        "message \(message.name), field \(field.name): its Swift name '\(property)' is also field \(other)'s; "
                            + "rename one of them")
                }
            }
        }
        guard problems.isEmpty else { throw GeneratorError(problems) }
        return messages.sorted { $0.typeID < $1.typeID }
    }

    // MARK: Rendering

    private var accessPrefix: String { access == .public ? "public " : "" }

    private func file(_ declarations: [[String]]) -> String {
        var lines = [
            "\(GeneratedFile.generatedHeader) from \(source). Do not edit.",
            "",
            access == .public ? "public import MyceliumCore" : "import MyceliumCore",
        ]
        for declaration in declarations {
            lines.append("")
            lines += declaration
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func declaration(of message: MessageContract) -> [String] {
        let open = accessPrefix
        let properties = message.fields.map { SwiftNaming.escaped(SwiftNaming.propertyName($0.name)) }
        var lines = documentation(message.summary, indent: "")
        if !lines.isEmpty { lines.append("///") }
        lines.append("/// Type id \(message.typeID), \(message.maxPayload) bytes on the wire.")
        lines.append("\(open)struct \(message.name): MyceliumMessage, Hashable, Codable {")
        lines.append("    \(open)static let typeID: UInt16 = \(groupedDigits(Int(message.typeID)))")
        lines.append("    \(open)static let messageName = \"\(message.name)\"")
        lines.append("    \(open)static let payloadSize = \(groupedDigits(message.maxPayload))")
        for (field, property) in zip(message.fields, properties) {
            lines.append("")
            let summary = documentation(field.summary, indent: "    ")
            lines += summary
            if !summary.isEmpty { lines.append("    ///") }
            lines.append("    /// `\(field.name)`: \(field.type.canonicalName) at byte \(field.offset).")
            lines.append("    \(open)var \(property): \(field.type.swiftType)")
        }

        lines.append("")
        lines.append("    /// A message with these field values.")
        let parameters = zip(properties, message.fields).map { "\($0): \($1.type.swiftType)" }
        let signature = "    \(open)init(\(parameters.joined(separator: ", "))) {"
        if signature.count <= Self.lineLength {
            lines.append(signature)
        } else {
            lines.append("    \(open)init(")
            lines += parameters.enumerated().map { "        \($1)" + ($0 == parameters.count - 1 ? "" : ",") }
            lines.append("    ) {")
        }
        lines += properties.map { "        self.\($0) = \($0)" }
        lines.append("    }")

        lines.append("")
        lines.append("    /// Reads the fields from a payload of exactly ``payloadSize`` bytes.")
        lines.append("    ///")
        lines.append("    /// - Throws: `MessageDecodingError` when the payload has another length.")
        if access == .public { lines.append("    @inlinable") }
        lines.append("    \(open)init(payload: UnsafeRawBufferPointer) throws {")
        lines.append("        guard payload.count == Self.payloadSize, let base = payload.baseAddress else {")
        lines.append(
            "            throw MessageDecodingError(messageName: Self.messageName, expected: Self.payloadSize, actual: payload.count)"
        )
        lines.append("        }")
        for (field, property) in zip(message.fields, properties) {
            lines.append("        self.\(property) = \(field.type.swiftType)(wireBytes: \(address(field.offset)))")
        }
        lines.append("    }")

        lines.append("")
        lines.append("    /// Writes the fields as ``payloadSize`` bytes at the start of `payload`.")
        if access == .public { lines.append("    @inlinable") }
        lines.append("    \(open)func encode(into payload: UnsafeMutableRawBufferPointer) {")
        lines.append(
            "        precondition(payload.count >= Self.payloadSize, \"\(message.name) needs \(message.maxPayload) bytes, got \\(payload.count)\")"
        )
        lines.append("        let base = payload.baseAddress!")
        for (field, property) in zip(message.fields, properties) {
            lines.append("        \(property).write(wireBytes: \(address(field.offset)))")
        }
        lines.append("    }")

        lines.append("")
        lines.append("    private enum CodingKeys: String, CodingKey {")
        for (field, property) in zip(message.fields, properties) {
            let named = SwiftNaming.propertyName(field.name) == field.name
            lines.append("        case \(property)" + (named ? "" : " = \"\(field.name)\""))
        }
        lines.append("    }")

        lines.append("")
        lines.append("    /// Reads a JSON object of the fields as the catalog renders them (`mycelium subscribe`).")
        lines.append("    \(open)init(from decoder: any Decoder) throws {")
        lines.append("        let container = try decoder.container(keyedBy: CodingKeys.self)")
        for (field, property) in zip(message.fields, properties) {
            lines.append(
                "        self.\(property) = try \(field.type.swiftType)(json: container.superDecoder(forKey: .\(property)))")
        }
        lines.append("    }")

        lines.append("")
        lines.append("    /// Writes a JSON object of the fields as the catalog renders them (`mycelium subscribe`).")
        lines.append("    \(open)func encode(to encoder: any Encoder) throws {")
        lines.append("        var container = encoder.container(keyedBy: CodingKeys.self)")
        for property in properties {
            lines.append("        try \(property).encodeJSON(to: container.superEncoder(forKey: .\(property)))")
        }
        lines.append("    }")
        lines.append("}")
        return lines
    }

    private func enumDeclaration(_ messages: [MessageContract]) -> [String] {
        let open = accessPrefix
        let digest = ContractDigest.digest(of: messages)
        var lines = [
            "/// The message types of \(source): their type table, contract digest and Swift types.",
            "\(open)enum \(name) {",
            "    /// The type ids, names and payload sizes, e.g. for a broker's configuration.",
            "    \(open)static let messageTypes = MessageTypeTable(messages: messages)",
            "",
            "    /// The contract digest of these messages (SHA-256), for `MyceliumClient.connect(to:name:digest:)`:",
            "    /// \(ContractDigest.hex(digest)).",
            "    \(open)static let digest: [UInt8] = [",
        ]
        for start in stride(from: 0, to: digest.count, by: 8) {
            let row = digest[start..<min(start + 8, digest.count)].map { byte in
                "0x" + HexBytes.digits([byte]).uppercased()
            }
            lines.append("        " + row.joined(separator: ", ") + ",")
        }
        lines.append("    ]")
        lines.append("")
        lines.append("    /// Every message type, in type id order.")
        lines.append("    \(open)static let messages: [any MyceliumMessage.Type] = [")
        lines += messages.map { "        \($0.name).self," }
        lines.append("    ]")
        lines.append("}")
        return lines
    }

    private static let lineLength = 130

    /// `base` or `base + 12`.
    private func address(_ offset: Int) -> String {
        offset == 0 ? "base" : "base + \(groupedDigits(offset))"
    }

    /// Digits grouped by three with `_` from 10,000 up, as swift-format's GroupNumericLiterals wants.
    private func groupedDigits(_ value: Int) -> String {
        let digits = String(value)
        guard digits.count > 4 else { return digits }
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return groups.joined(separator: "_")
    }

    /// `text` as `///` lines, trailing spaces trimmed; nothing for no text.
    private func documentation(_ text: String?, indent: String) -> [String] {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
        return text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in
                let trimmed = line.replacing(/\s+$/, with: "")
                return trimmed.isEmpty ? "\(indent)///" : "\(indent)/// \(trimmed)"
            }
    }
}
