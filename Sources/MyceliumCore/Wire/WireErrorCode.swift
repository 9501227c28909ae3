/// The code an ERROR frame carries.
public enum WireErrorCode: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    /// A frame longer than the limit (max payload, or the control-frame limit); the
    /// connection is closed.
    case frameTooLarge = 1
    /// A data frame, or a SUBSCRIBE/UNSUBSCRIBE entry, naming a type id the broker does not
    /// know (type 0 and the unassigned reserved ids 9-999 included).
    case unknownTypeID = 2
    /// A data frame longer than its type's contract maximum; the frame is skipped.
    case aboveContractMaximum = 3
    /// A malformed or misplaced control frame.
    case malformedControlFrame = 4
    /// HELLO carried a schema digest other than the broker's; the connection is closed.
    case digestMismatch = 5
    /// The connection fell too far behind; it is closed.
    case slowConsumer = 6
    /// More subscriptions than the per-connection limit.
    case tooManySubscriptions = 7
    /// The broker is shutting down, or has too many connections; the connection is closed.
    case shuttingDown = 8

    /// The code's name, as logs and the CLI show it.
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
        }
    }
}
