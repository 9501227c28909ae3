/// One problem found in a contract file: where, in which message and field, what is wrong,
/// and what to do about it.
///
/// Rendered as `contracts.yaml:12:14: error: message Trade, field price: unknown type 'uint9'; use ...`.
public struct ContractDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// Whether the import stops (`error`) or goes on (`warning`).
    public enum Severity: String, Sendable, Hashable {
        case error, warning
    }

    /// Error or warning.
    public let severity: Severity
    /// The file name as the user gave it.
    public let file: String
    /// 1-based line, or 0 when the problem is not tied to a line (an empty file).
    public let line: Int
    /// 1-based column, or 0 when unknown.
    public let column: Int
    /// The message the problem is in, if any.
    public let message: String?
    /// The field the problem is in, if any.
    public let field: String?
    /// What is wrong and what to do, in one sentence.
    public let text: String

    /// Creates a diagnostic.
    public init(
        _ severity: Severity, file: String, line: Int, column: Int, message: String? = nil, field: String? = nil,
        text: String
    ) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.field = field
        self.text = text
    }

    /// `file:line:column: severity: message M, field F: text`.
    public var description: String {
        var location = file
        if line > 0 { location += ":\(line)" + (column > 0 ? ":\(column)" : "") }
        var subject: [String] = []
        if let message { subject.append("message \(message)") }
        if let field { subject.append("field \(field)") }
        let prefix = subject.isEmpty ? "" : subject.joined(separator: ", ") + ": "
        return "\(location): \(severity.rawValue): \(prefix)\(text)"
    }
}
