/// A message type with a fixed wire layout, as `mycelium generate swift` writes one per
/// contract message: its type id, name, payload size, and how to read and write the payload.
///
/// ```swift
/// let trade = Trade(instrumentID: 7, price: 101_25, quantity: 10, side: 1, timestampNs: 0)
/// var bytes = [UInt8](repeating: 0, count: Trade.payloadSize)
/// bytes.withUnsafeMutableBytes { trade.encode(into: $0) }
/// let copy = try bytes.withUnsafeBytes { try Trade(payload: $0) }
/// ```
public protocol MyceliumMessage: Sendable {
    /// The TLV type id, 1000-65535.
    static var typeID: UInt16 { get }
    /// The contract's message name.
    static var messageName: String { get }
    /// Bytes on the wire: the sum of the field sizes.
    static var payloadSize: Int { get }
    /// Reads the fields from a payload of exactly ``payloadSize`` bytes.
    ///
    /// - Throws: ``MessageDecodingError`` when the payload has another length.
    init(payload: UnsafeRawBufferPointer) throws
    /// Writes exactly ``payloadSize`` bytes at the start of `payload`.
    ///
    /// - Precondition: `payload.count >= payloadSize`.
    func encode(into payload: UnsafeMutableRawBufferPointer)
}
