import Glibc

/// A socket or event-loop operation that failed, with the system's reason.
public struct EngineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was being done, e.g. `bind tcp 127.0.0.1:7800`.
    public let operation: String
    /// The `errno` value, or 0 when the failure is not a system call's.
    public let code: Int32
    /// What went wrong and what to do.
    public let reason: String

    /// Creates an error; `reason` defaults to the system's text for `code`.
    public init(_ operation: String, code: Int32, reason: String? = nil) {
        self.operation = operation
        self.code = code
        self.reason = reason ?? Self.systemText(code)
    }

    /// `operation: reason`.
    public var description: String { "\(operation): \(reason)" }

    private static func systemText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
