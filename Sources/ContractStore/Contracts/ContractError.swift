/// A contract file that cannot be imported, with every error found in it (not only the
/// first) and the warnings gathered on the way.
public struct ContractError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The errors, in file order; never empty.
    public let errors: [ContractDiagnostic]
    /// Warnings found before the errors stopped the import.
    public let warnings: [ContractDiagnostic]

    /// Creates the error from at least one error diagnostic.
    public init(errors: [ContractDiagnostic], warnings: [ContractDiagnostic] = []) {
        self.errors = errors
        self.warnings = warnings
    }

    /// One line per error, followed by a count.
    public var description: String {
        let count = errors.count == 1 ? "1 error" : "\(errors.count) errors"
        return (errors.map(\.description) + ["\(count); nothing was imported"]).joined(separator: "\n")
    }
}
