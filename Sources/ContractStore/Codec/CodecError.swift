public import MyceliumCore

/// Why a JSON message could not be encoded or a payload decoded: what kind of problem
/// (``code``), the field (a path such as `path[2]`, or `nil` for the whole message) and
/// what is wrong.
///
/// ```swift
/// do {
///     payload = try codec.encode(json)
/// } catch where error.code == .outOfRange {
///     print("field \(error.field ?? "?") is out of range")
/// }
/// ```
public struct CodecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of a ``CodecError``: compare it with the static members of its extension.
    public typealias Code = ErrorCode<CodecError>

    /// What kind of problem this is.
    public let code: Code
    /// The field path (`price`, `levels[3]`), or `nil` when the problem is not in one field.
    public let field: String?
    /// What is wrong and, where it helps, what to write instead.
    public let text: String

    /// Creates an error.
    public init(_ code: Code, field: String?, _ text: String) {
        self.code = code
        self.field = field
        self.text = text
    }

    /// `field price: 300 is out of range for uint8 (0 to 255)`.
    public var description: String { field.map { "field \($0): \(text)" } ?? text }
}

extension ErrorCode where Owner == CodecError {
    /// The text is not JSON.
    public static var invalidJSON: Self { Self("invalid JSON") }
    /// A JSON value of the wrong kind (a string where a number belongs, not an object).
    public static var wrongType: Self { Self("wrong type") }
    /// A member that is not one of the message's fields, or one given twice.
    public static var unknownField: Self { Self("unknown field") }
    /// A field the message needs is not given.
    public static var missingField: Self { Self("missing field") }
    /// A number outside its field type's range.
    public static var outOfRange: Self { Self("out of range") }
    /// A string, list or byte string longer (or, for an Address, other) than its field holds,
    /// or a payload whose length is not the message's.
    public static var wrongLength: Self { Self("wrong length") }
    /// A value of the right kind that its field cannot hold (not an integer, not hex, a NUL
    /// in a FixedStr, bytes that are not a bool or UTF-8).
    public static var invalidValue: Self { Self("invalid value") }
}
