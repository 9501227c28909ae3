/// The code an ERROR frame carries: a `u16` on the wire. Codes 1-10 are the protocol's;
/// another code a peer sends is kept as it is (``isKnown`` is `false`), so a newer broker's
/// errors reach an older client intact.
///
/// ```swift
/// if error.code == .slowConsumer { … }
/// ```
public struct WireErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code on the wire.
    public let rawValue: UInt16

    /// The code `rawValue`, known or not.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// A frame longer than the limit (max payload, or the control-frame limit); the
    /// connection is closed.
    public static let frameTooLarge = WireErrorCode(rawValue: 1)
    /// A data frame, or a SUBSCRIBE/UNSUBSCRIBE entry, naming a type id the broker does not
    /// know (type 0 and the unassigned reserved ids 11-999 included).
    public static let unknownTypeID = WireErrorCode(rawValue: 2)
    /// A data frame longer than its type's contract maximum; the frame is skipped.
    public static let aboveContractMaximum = WireErrorCode(rawValue: 3)
    /// A malformed or misplaced control frame.
    public static let malformedControlFrame = WireErrorCode(rawValue: 4)
    /// HELLO carried a schema digest other than the broker's; the connection is closed.
    public static let digestMismatch = WireErrorCode(rawValue: 5)
    /// The connection fell too far behind; it is closed.
    public static let slowConsumer = WireErrorCode(rawValue: 6)
    /// More subscriptions than the per-connection limit.
    public static let tooManySubscriptions = WireErrorCode(rawValue: 7)
    /// The broker is shutting down, or has too many connections; the connection is closed.
    public static let shuttingDown = WireErrorCode(rawValue: 8)
    /// Access control is on and the connection's first frame was not a HELLO with a valid
    /// token (none, too short or long, or not one the broker knows); the connection is closed.
    public static let notAuthorized = WireErrorCode(rawValue: 9)
    /// Access control is on and the connection's user may not publish the data frame's type
    /// (the frame is skipped) or subscribe to a SUBSCRIBE's type (nothing is subscribed);
    /// the connection stays up.
    public static let permissionDenied = WireErrorCode(rawValue: 10)

    /// The protocol's codes, 1-10.
    public static let known: [WireErrorCode] = [
        .frameTooLarge, .unknownTypeID, .aboveContractMaximum, .malformedControlFrame, .digestMismatch, .slowConsumer,
        .tooManySubscriptions, .shuttingDown, .notAuthorized, .permissionDenied,
    ]

    /// Whether this is one of the protocol's codes, 1-10.
    public var isKnown: Bool { (1...10).contains(rawValue) }

    /// The code's name, as logs and the CLI show it; `unknown code N` for another.
    public var description: String {
        switch self {
        case .frameTooLarge: "frame too large"
        case .unknownTypeID: "unknown type id"
        case .aboveContractMaximum: "above the type's contract maximum"
        case .malformedControlFrame: "malformed or misplaced control frame"
        case .digestMismatch: "schema digest mismatch"
        case .slowConsumer: "slow consumer"
        case .tooManySubscriptions: "too many subscriptions"
        case .shuttingDown: "shutting down or too many connections"
        case .notAuthorized: "not authorized"
        case .permissionDenied: "permission denied"
        default: "unknown code \(rawValue)"
        }
    }
}
