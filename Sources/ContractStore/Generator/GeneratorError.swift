/// Why Swift code could not be generated from a contract set: every name that cannot be
/// used, or why the output could not be written. Nothing is written when this is thrown.
public struct GeneratorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One sentence per problem: what is wrong, where, and what to do.
    public let problems: [String]

    /// Creates an error.
    public init(_ problems: [String]) {
        self.problems = problems
    }

    /// The problems, one a line.
    public var description: String { problems.joined(separator: "\n") }
}
