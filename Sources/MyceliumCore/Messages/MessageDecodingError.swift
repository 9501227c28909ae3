/// A payload could not be read as a message type because its length is not the type's
/// payload size: the frame is of another type or another version of the contract.
public struct MessageDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message type's name.
    public let messageName: String
    /// The type's payload size, in bytes.
    public let expected: Int
    /// The payload's length, in bytes.
    public let actual: Int

    /// Creates an error.
    public init(messageName: String, expected: Int, actual: Int) {
        self.messageName = messageName
        self.expected = expected
        self.actual = actual
    }

    /// `a Trade payload is 29 bytes, this one is 12; ...`.
    public var description: String {
        "a \(messageName) payload is \(expected) bytes, this one is \(actual); "
            + "check that the frame's type id is \(messageName)'s and that both sides use the same contracts"
    }
}
