import Yams

/// Reads a contract file (Architecture.md's YAML dialect) into a validated ``ContractSet``,
/// collecting every error and warning with its file:line:column instead of stopping at the
/// first.
///
/// ```swift
/// let result = try ContractParser.parse(yaml: text, file: "contracts.yaml")
/// result.set.messages.count
/// result.warnings   // unused keys, with file:line
/// ```
public enum ContractParser {
    /// A parsed set and the warnings found on the way.
    public struct Result: Sendable, Hashable {
        /// The validated set.
        public let set: ContractSet
        /// Keys and validations the importer does not use, each with file:line.
        public let warnings: [ContractDiagnostic]
        /// The file's text as read; the catalog keeps it, for `mycelium contracts export`.
        public let text: String
    }

    /// The lowest and highest type id a contract message may use.
    public static let typeIDRange: ClosedRange<Int> = 1000...65535

    /// Parses and validates `yaml`; `file` names the source in diagnostics.
    ///
    /// - Throws: ``ContractError`` with every error found (malformed YAML, unknown types,
    ///   missing `max_length`, duplicate names or ids, ids out of range, messages without
    ///   fields, an empty file).
    public static func parse(yaml: String, file: String) throws(ContractError) -> Result {
        var reader = Reader(file: file)
        let root: Node?
        do {
            // The reader takes every scalar as text: no implicit typing (the default
            // resolver matched each scalar against six regular expressions, again each
            // time Yams hashed it to find duplicate keys), and UTF-8 whatever the
            // environment says (the default read YAMS_DEFAULT_ENCODING on every parse).
            root = try Yams.compose(yaml: yaml, .basic, .default, .utf8)
        } catch {
            reader.yamlError(error)
            throw ContractError(errors: reader.errors)
        }
        let set = reader.readFile(root)
        guard reader.errors.isEmpty, let set else {
            throw ContractError(errors: reader.errors, warnings: reader.warnings)
        }
        return Result(set: set, warnings: reader.warnings, text: yaml)
    }
}

/// The walk over the YAML node tree; accumulates diagnostics.
private struct Reader {
    let file: String
    var errors: [ContractDiagnostic] = []
    var warnings: [ContractDiagnostic] = []

    init(file: String) { self.file = file }

    mutating func error(_ node: Node?, _ text: String, message: String? = nil, field: String? = nil) {
        errors.append(diagnostic(.error, node?.mark, text, message: message, field: field))
    }

    mutating func warning(_ node: Node?, _ text: String, message: String? = nil, field: String? = nil) {
        warnings.append(diagnostic(.warning, node?.mark, text, message: message, field: field))
    }

    private func diagnostic(
        _ severity: ContractDiagnostic.Severity, _ mark: Mark?, _ text: String, message: String?, field: String?
    ) -> ContractDiagnostic {
        ContractDiagnostic(
            severity, file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, message: message, field: field,
            text: text)
    }

    mutating func yamlError(_ error: any Error) {
        let syntax = YAMLSyntaxProblem(error)
        errors.append(
            ContractDiagnostic(
                .error, file: file, line: syntax.line, column: syntax.column, message: nil, field: nil,
                text: "malformed YAML: \(syntax.problem); fix the YAML syntax"))
    }

    // MARK: File

    mutating func readFile(_ root: Node?) -> ContractSet? {
        guard let root, !(root.scalar.map { $0.string.isEmpty } ?? false) else {
            error(nil, "the file is empty; a contract file needs a `messages:` mapping (see contracts/contracts.yaml)")
            return nil
        }
        guard let top = root.mapping else {
            error(root, "the file's top level must be a mapping with `messages:` (and optionally `schema:`)")
            return nil
        }
        var schema: ContractSet.Schema?
        var messagesNode: Node?
        for (key, value) in top {
            switch key.string {
            case "schema": schema = readSchema(value)
            case "messages": messagesNode = value
            default: unused(key, "top-level key")
            }
        }
        guard let messagesNode else {
            error(root, "the file has no `messages:` mapping; add one with at least one message")
            return nil
        }
        return ContractSet(source: file, schema: schema, messages: readMessages(messagesNode))
    }

    mutating func unused(_ key: Node, _ what: String, message: String? = nil, field: String? = nil) {
        warning(
            key, "\(what) '\(key.string ?? "?")' is not used by the importer; ignored", message: message, field: field)
    }

    mutating func readSchema(_ node: Node) -> ContractSet.Schema? {
        guard let mapping = node.mapping else {
            error(node, "`schema` must be a mapping such as { id: 0x4D594345, version: 1, min_compatible: 1 }")
            return nil
        }
        var id: UInt64?
        var version = 1
        var minCompatible = 1
        for (key, value) in mapping {
            switch key.string {
            case "id":
                guard let number = integer(value), number >= 0 else {
                    error(value, "schema id must be a non-negative integer (decimal or 0x hex), got '\(value.text)'")
                    continue
                }
                id = UInt64(number)
            case "version", "min_compatible":
                guard let number = integer(value), number >= 0 else {
                    error(value, "schema \(key.text) must be a non-negative integer, got '\(value.text)'")
                    continue
                }
                if key.string == "version" { version = number } else { minCompatible = number }
            default:
                unused(key, "schema key")
            }
        }
        guard let id else {
            error(node, "`schema` has no `id`; add one (e.g. id: 0x4D594345) or remove the schema line")
            return nil
        }
        return ContractSet.Schema(id: id, version: version, minCompatible: minCompatible)
    }

    // MARK: Messages

    mutating func readMessages(_ node: Node) -> [MessageContract] {
        guard let mapping = node.mapping, !mapping.isEmpty else {
            error(node, "`messages` must be a mapping of message names to definitions, with at least one message")
            return []
        }
        var messages: [MessageContract] = []
        var nameLines: [String: Int] = [:]
        var idOwners: [UInt16: String] = [:]
        for (key, value) in mapping {
            let name = key.text
            if let line = nameLines[name] {
                error(key, "duplicate message name (first at line \(line)); give each message its own name", message: name)
            }
            nameLines[name] = key.mark?.line ?? 0
            guard let message = readMessage(name: name, key: key, node: value) else { continue }
            if let other = idOwners[message.typeID] {
                error(
                    value["tlv_type"] ?? key,
                    "tlv_type \(message.typeID) is already used by message \(other); give each message its own id",
                    message: name)
            }
            idOwners[message.typeID] = name
            messages.append(message)
        }
        return messages
    }

    mutating func readMessage(name: String, key: Node, node: Node) -> MessageContract? {
        guard isIdentifier(name) else {
            error(key, "message name '\(name)' must be an identifier (letters, digits, _; not starting with a digit)")
            return nil
        }
        guard let mapping = node.mapping else {
            error(node, "a message must be a mapping with `tlv_type` and `fields`", message: name)
            return nil
        }
        var typeID: UInt16?
        var domain: String?
        var summary: String?
        var schemaVersion: String?
        var fields: [FieldContract]?
        for (key, value) in mapping {
            switch key.string {
            case "tlv_type":
                guard let number = integer(value) else {
                    error(value, "tlv_type must be an integer in 1000-65535, got '\(value.text)'", message: name)
                    continue
                }
                guard ContractParser.typeIDRange.contains(number) else {
                    error(
                        value,
                        "tlv_type \(number) is outside 1000-65535 (1-999 are reserved for the framework); pick an id in 1000-65535",
                        message: name)
                    continue
                }
                typeID = UInt16(number)
            case "domain": domain = scalarText(value, key: "domain", message: name)
            case "description": summary = scalarText(value, key: "description", message: name)
            case "schema_version": schemaVersion = scalarText(value, key: "schema_version", message: name)
            case "fields": fields = readFields(value, message: name)
            default: unused(key, "message key", message: name)
            }
        }
        if mapping["tlv_type"] == nil {
            error(key, "message has no tlv_type; add `tlv_type: N` with N in 1000-65535", message: name)
        }
        if mapping["fields"] == nil {
            error(key, "message has no fields; add a `fields:` mapping with at least one field", message: name)
        }
        guard let typeID, let fields, !fields.isEmpty else { return nil }
        let message = MessageContract(
            typeID: typeID, name: name, domain: domain, summary: summary, schemaVersion: schemaVersion, fields: fields)
        guard message.maxPayload <= FieldTypeSpelling.maximumSize else {
            error(
                key, "message is \(message.maxPayload) bytes, more than a frame can carry (4 GiB); shrink its fields",
                message: name)
            return nil
        }
        return message
    }

    mutating func scalarText(_ node: Node, key: String, message: String) -> String? {
        guard let scalar = node.scalar else {
            error(node, "\(key) must be a plain value, not a list or mapping", message: message)
            return nil
        }
        return scalar.string
    }

    // MARK: Fields

    /// One field as written, before its type is resolved.
    struct FieldSource {
        let name: String
        let nameNode: Node
        let typeNode: Node?
        let options: Node.Mapping?
    }

    mutating func readFields(_ node: Node, message: String) -> [FieldContract] {
        var sources: [FieldSource] = []
        if let mapping = node.mapping {
            for (key, value) in mapping {
                if let options = value.mapping {
                    sources.append(FieldSource(name: key.text, nameNode: key, typeNode: options["type"], options: options))
                } else {
                    sources.append(FieldSource(name: key.text, nameNode: key, typeNode: value, options: nil))
                }
            }
        } else if let sequence = node.sequence {
            for item in sequence {
                guard let options = item.mapping, let nameNode = options["name"] else {
                    error(item, "a field in list form must be a mapping with `name` and `type`", message: message)
                    continue
                }
                sources.append(FieldSource(name: nameNode.text, nameNode: nameNode, typeNode: options["type"], options: options))
            }
        } else {
            error(node, "`fields` must be a mapping or a list of fields", message: message)
            return []
        }
        if sources.isEmpty {
            error(node, "message has no fields; a message needs at least one field", message: message)
        }
        var fields: [FieldContract] = []
        var offset = 0
        var seen: [String: Int] = [:]
        for source in sources {
            if let line = seen[source.name] {
                error(
                    source.nameNode, "duplicate field name (first at line \(line)); give each field its own name",
                    message: message, field: source.name)
                continue
            }
            seen[source.name] = source.nameNode.mark?.line ?? 0
            guard isIdentifier(source.name) else {
                error(
                    source.nameNode, "field name must be an identifier (letters, digits, _; not starting with a digit)",
                    message: message, field: source.name)
                continue
            }
            guard let (declared, type) = readType(source, message: message) else { continue }
            fields.append(
                FieldContract(
                    ordinal: fields.count, name: source.name, declaredType: declared, type: type, offset: offset,
                    summary: source.options?["description"]?.scalar?.string))
            offset += type.size
        }
        return fields
    }

    /// The declared spelling and canonical type of one field.
    mutating func readType(_ source: FieldSource, message: String) -> (String, FieldType)? {
        let maxLength = readOptions(source, message: message)
        guard let typeNode = source.typeNode else {
            error(
                source.nameNode, "field has no type; add `type: uint64` (or another type)", message: message, field: source.name)
            return nil
        }
        let spelling: String
        switch typeNode {
        case .scalar(let scalar):
            spelling = scalar.string
        case .sequence(let sequence) where sequence.count == 1 && sequence[0].scalar != nil:
            // An unquoted `[u8; 20]` is a one-element YAML list holding "u8; 20".
            spelling = "[\(sequence[0].text)]"
        default:
            error(
                typeNode, "type must be a type name such as uint64 or \"FixedVec<uint8, 32>\"", message: message,
                field: source.name)
            return nil
        }
        do {
            let type = try FieldTypeSpelling.parse(spelling, maxLength: maxLength?.value)
            if let maxLength, !Self.isSizedByMaxLength(spelling) {
                warning(
                    maxLength.node,
                    "max_length only sizes String and Vec<T>; ignored for \(type.canonicalName)",
                    message: message, field: source.name)
            }
            return (spelling, type)
        } catch {
            self.error(typeNode, error.text, message: message, field: source.name)
            return nil
        }
    }

    private static func isSizedByMaxLength(_ spelling: String) -> Bool {
        let text = spelling.trimmed
        return text == "String" || text.hasPrefix("Vec<")
    }

    /// Reads the keys beside `type`: `max_length` (plain or under `validation` as a list or a
    /// mapping); everything else is warned about.
    mutating func readOptions(_ source: FieldSource, message: String) -> (value: Int, node: Node)? {
        guard let options = source.options else { return nil }
        var maxLength: (value: Int, node: Node)?
        func take(_ key: Node, _ value: Node, into maxLength: inout (value: Int, node: Node)?, reader: inout Reader) {
            guard key.string == "max_length" else {
                reader.warning(
                    key, "validation '\(key.text)' is not enforced by the importer; ignored", message: message,
                    field: source.name)
                return
            }
            guard let number = reader.integer(value), number > 0 else {
                reader.error(
                    value, "max_length must be a whole number of at least 1, got '\(value.text)'", message: message,
                    field: source.name)
                return
            }
            maxLength = (number, value)
        }
        for (key, value) in options {
            switch key.string {
            case "type", "name", "description": continue
            case "max_length": take(key, value, into: &maxLength, reader: &self)
            case "validation":
                if let mapping = value.mapping {
                    for (innerKey, innerValue) in mapping { take(innerKey, innerValue, into: &maxLength, reader: &self) }
                } else if let sequence = value.sequence {
                    for item in sequence {
                        guard let mapping = item.mapping else {
                            error(
                                item, "a validation must be a mapping such as { max_length: 32 }", message: message,
                                field: source.name)
                            continue
                        }
                        for (innerKey, innerValue) in mapping { take(innerKey, innerValue, into: &maxLength, reader: &self) }
                    }
                } else {
                    error(
                        value, "`validation` must be a list or a mapping such as { max_length: 32 }", message: message,
                        field: source.name)
                }
            default: unused(key, "field key", message: message, field: source.name)
            }
        }
        return maxLength
    }

    // MARK: Scalars

    /// An integer scalar: decimal or `0x` hex, underscores allowed.
    func integer(_ node: Node) -> Int? {
        guard let text = node.scalar?.string.replacingUnderscores else { return nil }
        let negative = text.hasPrefix("-")
        let body = negative || text.hasPrefix("+") ? String(text.dropFirst()) : text
        let magnitude: Int? =
            body.lowercased().hasPrefix("0x") ? Int(body.dropFirst(2), radix: 16) : Int(body, radix: 10)
        guard let magnitude, !body.hasPrefix("-"), !body.hasPrefix("+") else { return nil }
        return negative ? -magnitude : magnitude
    }

    func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}

extension Node {
    /// The node's text for messages: a scalar's string, or a short rendering of a collection.
    fileprivate var text: String {
        switch self {
        case .scalar(let scalar): scalar.string
        case .sequence(let sequence): "[" + sequence.map(\.text).joined(separator: ", ") + "]"
        case .mapping: "{...}"
        case .alias: "*alias"
        }
    }
}
