import Yams

/// What Yams reports about YAML that does not parse, as a position and a sentence: shared by
/// the contract parser and the CLI's other YAML files (the broker's auth file).
package struct YAMLSyntaxProblem: Sendable {
    /// The line (1-based) Yams names, or 0 when it names none.
    package let line: Int
    /// The column (1-based), or 0.
    package let column: Int
    /// What is wrong, e.g. `mapping values are not allowed in this context`.
    package let problem: String

    /// Reads `error`, one that `Yams.compose(yaml:)` threw.
    package init(_ error: any Error) {
        let mark: Mark?
        switch error as? YamlError {
        case .scanner(let context, let text, let at, _), .parser(let context, let text, let at, _),
            .composer(let context, let text, let at, _):
            mark = at
            problem = text + (context.map { " (\($0.text) at line \($0.mark.line))" } ?? "")
        case .duplicatedKeysInMapping(let duplicates, let context):
            mark = context.mark
            problem = "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in a mapping"
        default:
            mark = nil
            problem = String(describing: error)
        }
        line = mark?.line ?? 0
        column = mark?.column ?? 0
    }
}
