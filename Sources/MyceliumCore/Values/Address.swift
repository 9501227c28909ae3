/// A 20-byte address, the contract type `Address`: the bytes as they are on the wire, `0x`
/// and 40 lowercase hex digits in JSON and in ``description``.
///
/// ```swift
/// let pool = Address(hex: "0x8ad599c3a0ff1de082011efddc58f1908eb6e6d8")!
/// pool.description   // "0x8ad599c3a0ff1de082011efddc58f1908eb6e6d8"
/// ```
public struct Address: Sendable, Hashable {
    /// The 20 bytes.
    public var bytes: FixedArray<20, UInt8>

    /// The byte count, 20.
    public static let byteCount = 20

    /// The address of `bytes`; `nil` unless there are exactly 20.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount, let fixed = FixedArray<20, UInt8>(bytes) else { return nil }
        self.bytes = fixed
    }

    /// Reads `0x` and 40 hex digits (either case); `nil` for anything else.
    public init?(hex: String) {
        guard let bytes = HexBytes.parse(hex) else { return nil }
        self.init(bytes: bytes)
    }
}

extension Address: CustomStringConvertible {
    /// `0x` and 40 lowercase hex digits.
    public var description: String { "0x" + HexBytes.digits(bytes) }
}

extension Address: WireValue {
    /// 20 bytes.
    @inlinable
    public static var wireSize: Int { 20 }

    /// The zero address.
    @inlinable
    public static var wireZero: Address { Address(storage: .wireZero) }

    @inlinable
    init(storage: FixedArray<20, UInt8>) {
        bytes = storage
    }

    /// Reads 20 bytes.
    @inlinable
    public init(wireBytes source: UnsafeRawPointer) {
        bytes = FixedArray(wireBytes: source)
    }

    /// Writes 20 bytes.
    @inlinable
    public func write(wireBytes destination: UnsafeMutableRawPointer) {
        bytes.write(wireBytes: destination)
    }

    /// Reads `0x` and 40 hex digits, or an array of 20 numbers 0-255.
    ///
    /// - Throws: `DecodingError.dataCorrupted` naming the field for anything else.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let bytes: [UInt8]
        if let text = try? container.decode(String.self) {
            guard let parsed = HexBytes.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "'\(text)' is not an Address (0x and 40 hex digits)")
            }
            bytes = parsed
        } else {
            bytes = try container.decode([UInt8].self)
        }
        guard let address = Address(bytes: bytes) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "has \(bytes.count) bytes; an Address is exactly \(Self.byteCount)")
        }
        self = address
    }

    /// Writes `0x` and 40 lowercase hex digits.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
