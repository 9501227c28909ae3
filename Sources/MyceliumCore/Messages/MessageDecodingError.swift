/// A payload could not be read as a message type: its length is not the type's payload size,
/// or the frame is of another type. Either the frame is not this type's, or the two sides use
/// different versions of the contracts.
public struct MessageDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What does not match.
    public enum Problem: Sendable, Hashable {
        /// The payload is `actual` bytes; the type's are `expected`.
        case size(expected: Int, actual: Int)
        /// The frame's type id is `actual`; the type's is `expected`.
        case typeID(expected: UInt16, actual: UInt16)
    }

    /// The message type's name.
    public let messageName: String
    /// What does not match.
    public let problem: Problem

    /// A payload of `actual` bytes for a type of `expected`.
    public init(messageName: String, expected: Int, actual: Int) {
        self.messageName = messageName
        problem = .size(expected: expected, actual: actual)
    }

    /// A frame of type id `actual` read as a type whose id is `expected`.
    public init(messageName: String, expectedTypeID expected: UInt16, actualTypeID actual: UInt16) {
        self.messageName = messageName
        problem = .typeID(expected: expected, actual: actual)
    }

    /// `a Trade payload is 29 bytes, this one is 12; ...`.
    public var description: String {
        switch problem {
        case .size(let expected, let actual):
            "a \(messageName) payload is \(expected) bytes, this one is \(actual); "
                + "check that the frame's type id is \(messageName)'s and that both sides use the same contracts"
        case .typeID(let expected, let actual):
            "a frame of type id \(actual) is not a \(messageName) (type id \(expected)); decode it as its own type"
        }
    }
}
