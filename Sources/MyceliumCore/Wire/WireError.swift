/// An ERROR frame's content: what a broker reports to a peer, or what a peer received.
public struct WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The code.
    public var code: WireErrorCode
    /// Says what was wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(_ code: WireErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `ERROR <code> (<name>): <message>`.
    public var description: String {
        "ERROR \(code.rawValue) (\(code)): \(message)"
    }
}
