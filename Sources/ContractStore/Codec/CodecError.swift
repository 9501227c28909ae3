/// Why a JSON message could not be encoded or a payload decoded: the field (a path such as
/// `path[2]`, or `nil` for the whole message) and what is wrong.
public struct CodecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field path (`price`, `levels[3]`), or `nil` when the problem is not in one field.
    public let field: String?
    /// What is wrong and, where it helps, what to write instead.
    public let text: String

    /// Creates an error.
    public init(field: String?, _ text: String) {
        self.field = field
        self.text = text
    }

    /// `field price: 300 is out of range for uint8 (0 to 255)`.
    public var description: String { field.map { "field \($0): \(text)" } ?? text }
}
