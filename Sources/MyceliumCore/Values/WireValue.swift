/// A value with a fixed little-endian layout on the wire: the Swift type of a contract
/// field. Generated messages read and write their fields through it.
///
/// The kit conforms the fixed-width integers, `Float`, `Double`, `Bool`, ``UInt256``,
/// ``Address``, ``FixedString`` and ``FixedArray`` (of wire values). Its JSON rendering is
/// the catalog's (what `mycelium subscribe` prints): 128- and 256-bit integers as decimal
/// strings, byte vectors and addresses as `0x` hex.
///
/// ```swift
/// var bytes = [UInt8](repeating: 0, count: 4)
/// bytes.withUnsafeMutableBytes { UInt32(7).write(wireBytes: $0.baseAddress!) }   // 07 00 00 00
/// ```
public protocol WireValue: Sendable, Hashable, Codable {
    /// Bytes the value takes on the wire.
    static var wireSize: Int { get }
    /// The value of ``wireSize`` zero bytes: what pads a ``FixedArray`` given fewer elements.
    static var wireZero: Self { get }
    /// Reads the value from ``wireSize`` bytes at `source`, which need not be aligned.
    init(wireBytes source: UnsafeRawPointer)
    /// Writes the value as ``wireSize`` bytes at `destination`, which need not be aligned.
    func write(wireBytes destination: UnsafeMutableRawPointer)
    /// Reads the value from JSON as the catalog renders it (the default is `init(from:)`).
    ///
    /// - Throws: `DecodingError` naming the coding path when the JSON does not fit.
    init(json decoder: any Decoder) throws
    /// Writes the value as JSON as the catalog renders it (the default is `encode(to:)`).
    ///
    /// - Throws: what the encoder throws.
    func encodeJSON(to encoder: any Encoder) throws
}

extension WireValue {
    /// Decodes with `Codable`.
    @inlinable
    public init(json decoder: any Decoder) throws {
        try self.init(from: decoder)
    }

    /// Encodes with `Codable`.
    @inlinable
    public func encodeJSON(to encoder: any Encoder) throws {
        try encode(to: encoder)
    }
}
