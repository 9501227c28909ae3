/// A catalog that cannot be opened or an import the catalog refuses: the catalog path, and
/// one line per problem saying what is wrong and what to do.
public struct CatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The catalog file path as given.
    public let path: String
    /// The problems, each a sentence that ends with what to do.
    public let problems: [String]

    /// Creates an error with one or more problems.
    public init(path: String, problems: [String]) {
        self.path = path
        self.problems = problems
    }

    /// Creates an error with one problem.
    public init(path: String, _ problem: String) {
        self.init(path: path, problems: [problem])
    }

    /// `catalog PATH: problem`, one line each.
    public var description: String {
        problems.map { "catalog \(path): \($0)" }.joined(separator: "\n")
    }
}
