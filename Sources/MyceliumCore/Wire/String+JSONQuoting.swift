extension String {
    /// Appends `text` as a quoted JSON string (RFC 8259 escapes). Shared by the STATS
    /// document and `ContractStore`'s JSON writer.
    package mutating func appendJSONQuoted(_ text: String) {
        self += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": self += "\\\""
            case "\\": self += "\\\\"
            case "\n": self += "\\n"
            case "\r": self += "\\r"
            case "\t": self += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                self += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: unicodeScalars.append(scalar)
            }
        }
        self += "\""
    }
}
