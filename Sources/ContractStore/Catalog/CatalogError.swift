public import MyceliumCore

/// A catalog that cannot be opened or an import the catalog refuses: what kind of problem
/// (``code``), the catalog path, and one line per problem saying what is wrong and what to do.
///
/// ```swift
/// do {
///     catalog = try Catalog(path: path, createIfMissing: false)
/// } catch where error.code == .missing {
///     // import contracts first
/// }
/// ```
public struct CatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of a ``CatalogError``: compare it with the static members of its extension.
    public typealias Code = ErrorCode<CatalogError>

    /// What kind of problem this is.
    public let code: Code
    /// The catalog file path as given.
    public let path: String
    /// The problems, each a sentence that ends with what to do.
    public let problems: [String]

    /// Creates an error with one or more problems.
    public init(_ code: Code, path: String, problems: [String]) {
        self.code = code
        self.path = path
        self.problems = problems
    }

    /// Creates an error with one problem.
    public init(_ code: Code, path: String, _ problem: String) {
        self.init(code, path: path, problems: [problem])
    }

    /// `catalog PATH: problem`, one line each.
    public var description: String {
        problems.map { "catalog \(path): \($0)" }.joined(separator: "\n")
    }
}

extension ErrorCode where Owner == CatalogError {
    /// There is no catalog file at the path.
    public static var missing: Self { Self("missing") }
    /// The path is a directory, not an SQLite file, or another program's database.
    public static var notACatalog: Self { Self("not a catalog") }
    /// The file cannot be written (an import, or a migration, needs to).
    public static var readOnly: Self { Self("read-only") }
    /// The file was written by a newer Mycelium.
    public static var newerFormat: Self { Self("newer format") }
    /// No message has the name or type id asked for.
    public static var unknownMessage: Self { Self("unknown message") }
    /// No contract set has the name asked for.
    public static var unknownSet: Self { Self("unknown set") }
    /// The set was imported before the catalog kept contract files' text.
    public static var noContractText: Self { Self("no contract text") }
    /// An import would remove or change messages without raising a version.
    public static var breakingChange: Self { Self("breaking change") }
    /// An import clashes with messages of another set.
    public static var conflict: Self { Self("conflict") }
    /// The file holds something no import writes; it needs re-importing.
    public static var invalidContents: Self { Self("invalid contents") }
    /// SQLite failed to open, read or write the file.
    public static var storage: Self { Self("storage") }
}
