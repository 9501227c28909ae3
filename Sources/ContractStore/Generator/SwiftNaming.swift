/// The rules that turn contract names into Swift names, and the names generated code may
/// not use.
enum SwiftNaming {
    /// The Swift name of a field: snake_case to lowerCamelCase, the word `id` written `ID`
    /// (`instrument_id` → `instrumentID`, `sqrt_price` → `sqrtPrice`, `URL` → `url`).
    static func propertyName(_ field: String) -> String {
        let words = field.split(separator: "_").map(String.init)
        guard let first = words.first else { return "" }
        var name = first.allSatisfy { $0.isUppercase || $0.isNumber } ? first.lowercased() : lowercasingFirst(first)
        for word in words.dropFirst() {
            name += word.lowercased() == "id" ? "ID" : word.prefix(1).uppercased() + word.dropFirst()
        }
        return name
    }

    /// The name as written in source: keywords in backticks (`default` → `` `default` ``).
    static func escaped(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }

    /// Why `name` cannot be a generated type's name, or `nil` when it can.
    static func typeNameProblem(_ name: String) -> String? {
        if let problem = identifierProblem(name) { return problem }
        if keywords.contains(name) || ["Self", "Type", "Protocol", "Any"].contains(name) {
            return "is a Swift keyword"
        }
        if let module = usedTypes[name] {
            return "collides with \(module)'s \(name), which the generated code uses"
        }
        return nil
    }

    /// Why `name` cannot be a generated property's name, or `nil` when it can.
    static func propertyNameProblem(_ name: String) -> String? {
        if let problem = identifierProblem(name) { return problem }
        if ["self", "Self", "Type", "Protocol"].contains(name) { return "cannot be a Swift property name" }
        if reservedMembers.contains(name) { return "collides with the message's own member \(name)" }
        return nil
    }

    private static func identifierProblem(_ name: String) -> String? {
        guard let first = name.unicodeScalars.first else { return "is empty" }
        guard
            name.unicodeScalars.allSatisfy({ $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
            )
        else {
            return "is not a Swift identifier of ASCII letters, digits and _"
        }
        guard !("0"..."9").contains(first) else { return "is not a Swift identifier: it starts with a digit" }
        guard name != "_" else { return "is not a Swift identifier: _ alone is a wildcard" }
        return nil
    }

    private static func lowercasingFirst(_ word: String) -> String {
        word.prefix(1).lowercased() + word.dropFirst()
    }

    /// Members every generated message has (besides the static ones, which a property may share).
    private static let reservedMembers: Set<String> = ["encode", "hash", "hashValue", "CodingKeys"]

    /// Type names the generated code refers to, with the module they come from.
    private static let usedTypes: [String: String] = {
        var types: [String: String] = [:]
        for name in [
            "MyceliumMessage", "MessageDecodingError", "MessageTypeTable", "WireValue", "UInt256", "Address", "FixedString",
            "FixedArray", "MyceliumCore",
        ] {
            types[name] = "MyceliumCore"
        }
        for name in [
            "Swift", "Bool", "Int", "Int8", "Int16", "Int32", "Int64", "Int128", "UInt8", "UInt16", "UInt32", "UInt64",
            "UInt128", "Float", "Double", "String", "Hashable", "Codable", "Sendable", "Decoder", "Encoder", "CodingKey",
            "UnsafeRawBufferPointer", "UnsafeMutableRawBufferPointer",
        ] {
            types[name] = "the standard library"
        }
        return types
    }()

    /// Swift's keywords, which a generated name must escape or avoid.
    private static let keywords: Set<String> = [
        "associatedtype", "borrowing", "class", "consuming", "deinit", "enum", "extension", "fileprivate", "func", "import",
        "init", "inout", "internal", "let", "nonisolated", "open", "operator", "private", "precedencegroup", "protocol",
        "public", "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue",
        "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch",
        "where", "while", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true", "try", "Any",
    ]
}
