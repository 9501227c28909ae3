/// The framework's frame types, 1-10. Types 11-999 are reserved and unassigned; data types
/// are 1000-65535.
public enum ControlFrameType: UInt16, Sendable, CaseIterable {
    /// `u16 version (1)`, 32-byte digest (all zero: don't check), UTF-8 peer name.
    case hello = 1
    /// One or more u16 type ids.
    case subscribe = 2
    /// One or more u16 type ids.
    case unsubscribe = 3
    /// Up to 64 opaque bytes, echoed by ``pong``.
    case ping = 4
    /// The echo of a ``ping``'s payload.
    case pong = 5
    /// `u16 code`, UTF-8 text; see ``WireErrorCode``.
    case error = 6
    /// Empty; answered by ``stats``.
    case statsRequest = 7
    /// A UTF-8 JSON document (see ``BrokerStats/jsonDocument()``).
    case stats = 8
    /// Empty; answered by ``connections``.
    case connectionsRequest = 9
    /// A UTF-8 JSON document (see ``BrokerConnections/jsonDocument()``).
    case connections = 10

    /// The lowest type id a data frame may use.
    public static let firstDataTypeID: UInt16 = 1000
}
