/// Reads every spelling of a field type Architecture.md accepts and returns its canonical
/// ``FieldType``: canonical names, the Rust-flavoured aliases (`u64`, `U256`, `[u8; 20]`),
/// and `String` / `Vec<T>`, which take their size from a `max_length` validation.
enum FieldTypeSpelling {
    /// Why a spelling was refused; `text` says what to write instead.
    struct Failure: Error, Hashable {
        let text: String
    }

    /// The largest size a field may have: a frame's payload length is a `u32`.
    static let maximumSize = Int(UInt32.max)

    private static let aliases: [String: FieldType] = [
        "u8": .uint8, "u16": .uint16, "u32": .uint32, "u64": .uint64, "u128": .uint128,
        "i8": .int8, "i16": .int16, "i32": .int32, "i64": .int64, "i128": .int128,
        "f32": .float32, "f64": .float64, "U256": .uint256, "u256": .uint256,
    ]

    private static let known =
        "use uint8..uint128, int8..int128, uint256, float32, float64, bool, Address, FixedStr<N>, "
        + "FixedVec<T, N>, or an alias (u64, i32, f64, U256, [u8; 20], String or Vec<T> with max_length)"

    /// Parses `spelling`; `maxLength` sizes `String` and `Vec<T>`.
    static func parse(_ spelling: String, maxLength: Int?) throws(Failure) -> FieldType {
        let type = try parseType(spelling.trimmed, maxLength: maxLength)
        guard type.fitsFrame else {
            throw Failure(text: "type '\(spelling)' is larger than a frame can carry (4 GiB); use a smaller N")
        }
        return type
    }

    private static func parseType(_ text: String, maxLength: Int?) throws(Failure) -> FieldType {
        if let scalar = FieldType.scalars.first(where: { $0.name == text })?.type ?? aliases[text] { return scalar }
        if text == "String" {
            guard let maxLength else {
                throw Failure(text: "type String has no max_length; add `max_length: 32` beside `type` (it becomes FixedStr<32>)")
            }
            return .fixedStr(count: try count(String(maxLength), in: text))
        }
        if text.hasPrefix("[") {
            guard text.hasSuffix("]") else {
                throw Failure(text: "malformed type '\(text)': missing ']'; write [T; N], e.g. [u8; 20]")
            }
            let inner = text.dropFirst().dropLast()
            guard let semicolon = inner.lastIndex(of: ";") else {
                throw Failure(text: "malformed type '\(text)': expected [T; N], e.g. [u8; 20]")
            }
            let element = try parseElement(String(inner[..<semicolon]), in: text)
            return .fixedVec(element: element, count: try count(String(inner[inner.index(after: semicolon)...]), in: text))
        }
        guard let open = text.firstIndex(of: "<") else {
            if text == "Vec" || text == "FixedVec" || text == "FixedStr" {
                throw Failure(
                    text: "type '\(text)' needs parameters; write FixedStr<N>, FixedVec<T, N> or Vec<T> with max_length")
            }
            throw Failure(text: "unknown type '\(text)'; \(known)")
        }
        guard text.hasSuffix(">") else {
            throw Failure(text: "malformed type '\(text)': unclosed '<'; close it, e.g. FixedVec<uint8, 32>")
        }
        let head = String(text[..<open]).trimmed
        let arguments = splitArguments(String(text[text.index(after: open)..<text.index(before: text.endIndex)]))
        switch (head, arguments.count) {
        case ("FixedStr", 1):
            return .fixedStr(count: try count(arguments[0], in: text))
        case ("FixedVec", 2):
            return .fixedVec(element: try parseElement(arguments[0], in: text), count: try count(arguments[1], in: text))
        case ("Vec", 1):
            guard let maxLength else {
                throw Failure(
                    text: "type '\(text)' has no max_length; add `max_length: N` beside `type` (it becomes FixedVec<T, N>)")
            }
            return .fixedVec(element: try parseElement(arguments[0], in: text), count: try count(String(maxLength), in: text))
        case ("FixedStr", _), ("FixedVec", _), ("Vec", _):
            throw Failure(
                text: "malformed type '\(text)': wrong number of parameters; write FixedStr<N>, FixedVec<T, N> or Vec<T>")
        default:
            throw Failure(text: "unknown type '\(text)'; \(known)")
        }
    }

    /// A vector element: any fixed-size type (`String` and `Vec` have no size of their own here).
    private static func parseElement(_ text: String, in whole: String) throws(Failure) -> FieldType {
        let element = text.trimmed
        guard element != "String", !element.hasPrefix("Vec<") else {
            throw Failure(text: "element type '\(element)' in '\(whole)' has no fixed size; use FixedStr<N> or FixedVec<T, N>")
        }
        guard !element.isEmpty else { throw Failure(text: "malformed type '\(whole)': missing element type") }
        return try parseType(element, maxLength: nil)
    }

    /// A vector length or string size: a whole number of at least 1.
    private static func count(_ text: String, in whole: String) throws(Failure) -> Int {
        let digits = text.trimmed.replacingUnderscores
        guard let value = Int(digits), digits.first != "+" else {
            throw Failure(text: "N in '\(whole)' must be a whole number of at least 1, got '\(text.trimmed)'")
        }
        guard value > 0 else {
            throw Failure(
                text:
                    "N in '\(whole)' is \(value); a field is never sized \(value < 0 ? "negatively" : "0"): give N of at least 1"
            )
        }
        return value
    }

    /// Splits generic arguments at top-level commas.
    private static func splitArguments(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "<", "[": depth += 1
            case ">", "]": depth -= 1
            case "," where depth == 0:
                parts.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        parts.append(current)
        return parts
    }
}

extension FieldType {
    /// Whether the encoded size fits a frame, computed without overflowing.
    fileprivate var fitsFrame: Bool {
        switch self {
        case .fixedStr(let count): return count <= FieldTypeSpelling.maximumSize
        case .fixedVec(let element, let count):
            guard element.fitsFrame else { return false }
            let (bytes, overflow) = element.size.multipliedReportingOverflow(by: count)
            return !overflow && bytes <= FieldTypeSpelling.maximumSize
        default: return true
        }
    }
}

extension String {
    var trimmed: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    var replacingUnderscores: String { filter { $0 != "_" } }
}
