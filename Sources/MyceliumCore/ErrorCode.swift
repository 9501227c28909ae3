/// The kind of an error of type `Owner`: a name to compare against the owner's static
/// members, e.g. `error.code == .stopped` for a `BrokerError`.
///
/// The error types are structs holding a code rather than enums, so that a release can add
/// kinds without breaking anyone's `switch`; their codes are values of this type, made only
/// by the package.
public struct ErrorCode<Owner>: Hashable, Sendable, CustomStringConvertible {
    private let name: String

    /// A code named `name` (the text ``description`` shows).
    package init(_ name: String) {
        self.name = name
    }

    /// The code's name, e.g. `stopped`.
    public var description: String { name }
}
