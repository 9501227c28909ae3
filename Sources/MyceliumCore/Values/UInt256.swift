/// A 256-bit unsigned integer, the contract type `uint256` (`U256`): 32 bytes little-endian
/// on the wire, a decimal string in JSON.
///
/// It holds and compares values; it does no arithmetic. Build one from a literal of any
/// length, a `UInt64`, two `UInt128` halves, or decimal or `0x` hex text.
///
/// ```swift
/// let reserve: UInt256 = 340_282_366_920_938_463_463_374_607_431_768_211_456   // 2^128
/// UInt256("0xff") == 255                                                        // true
/// reserve.description                                                           // "340282366920938463463374607431768211456"
/// ```
public struct UInt256: Sendable, Hashable, Comparable {
    /// The high 128 bits.
    public var high: UInt128
    /// The low 128 bits.
    public var low: UInt128

    /// The value `high << 128 | low`.
    @inlinable
    public init(high: UInt128, low: UInt128) {
        self.high = high
        self.low = low
    }

    /// The value of `value`.
    @inlinable
    public init(_ value: UInt64) {
        self.init(high: 0, low: UInt128(value))
    }

    /// Reads decimal digits or `0x` hex digits (underscores allowed between them); `nil`
    /// for anything else (a sign, a space) or a value of more than 256 bits.
    public init?(_ text: String) {
        guard case .value(let value) = WideInteger.parse(Substring(text), limbCount: 4) else { return nil }
        self.init(limbs: value.limbs)
    }

    /// The largest value, 2^256 - 1.
    public static let max = UInt256(high: .max, low: .max)

    /// Orders by value.
    @inlinable
    public static func < (lhs: UInt256, rhs: UInt256) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    private init(limbs: [UInt64]) {
        self.init(
            high: UInt128(limbs[3]) << 64 | UInt128(limbs[2]),
            low: UInt128(limbs[1]) << 64 | UInt128(limbs[0]))
    }

    private var limbs: [UInt64] {
        [
            UInt64(truncatingIfNeeded: low), UInt64(truncatingIfNeeded: low >> 64),
            UInt64(truncatingIfNeeded: high), UInt64(truncatingIfNeeded: high >> 64),
        ]
    }
}

extension UInt256: ExpressibleByIntegerLiteral {
    /// A literal of up to 256 bits.
    ///
    /// - Precondition: the literal is not negative and fits 256 bits.
    public init(integerLiteral value: StaticBigInt) {
        precondition(value.signum() >= 0 && value.bitWidth <= 257, "integer literal does not fit UInt256")
        var limbs: [UInt64] = []
        for index in 0..<4 {
            limbs.append(UInt64(truncatingIfNeeded: value[index]))
        }
        self.init(limbs: limbs)
    }
}

extension UInt256: CustomStringConvertible {
    /// Decimal digits.
    public var description: String { WideInteger(limbs: limbs).decimal }
}

extension UInt256: WireValue {
    /// 32 bytes.
    @inlinable
    public static var wireSize: Int { 32 }

    /// Zero.
    @inlinable
    public static var wireZero: UInt256 { UInt256(high: 0, low: 0) }

    /// Reads 32 little-endian bytes.
    @inlinable
    public init(wireBytes source: UnsafeRawPointer) {
        self.init(high: UInt128(wireBytes: source + 16), low: UInt128(wireBytes: source))
    }

    /// Writes 32 little-endian bytes.
    @inlinable
    public func write(wireBytes destination: UnsafeMutableRawPointer) {
        low.write(wireBytes: destination)
        high.write(wireBytes: destination + 16)
    }

    /// Reads a decimal or `0x` hex string, or a JSON number that fits 64 bits.
    ///
    /// - Throws: `DecodingError.dataCorrupted` for other text or a value past 2^256 - 1.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(UInt64.self) {
            self.init(number)
            return
        }
        let text = try container.decode(String.self)
        guard let value = UInt256(text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "'\(text)' is not a uint256; write a decimal or 0x hex string of at most 2^256 - 1")
        }
        self = value
    }

    /// Writes a decimal string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
