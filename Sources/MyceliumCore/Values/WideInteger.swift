/// An unsigned integer of 64 x `limbs.count` bits (little-endian limbs) with just the
/// arithmetic the contract codec and ``UInt256`` need: reading decimal and hex text, writing
/// decimal text, two's complement, and little-endian bytes.
package struct WideInteger: Equatable {
    package var limbs: [UInt64]

    package init(limbCount: Int) { limbs = Array(repeating: 0, count: limbCount) }

    package init(limbs: [UInt64]) { self.limbs = limbs }

    /// Reads `bytes.count` little-endian bytes (a multiple of 8).
    package init(littleEndian bytes: some Collection<UInt8>) {
        self.init(limbCount: (bytes.count + 7) / 8)
        for (offset, byte) in bytes.enumerated() { limbs[offset / 8] |= UInt64(byte) << (8 * UInt64(offset % 8)) }
    }

    /// The outcome of reading digits.
    package enum Parsed {
        case value(WideInteger)
        /// Not decimal or `0x` hex digits.
        case malformed
        /// Digits, but more than `limbCount` limbs hold.
        case tooLarge
    }

    /// Reads unsigned decimal or `0x` hex digits (underscores allowed between them).
    package static func parse(_ text: Substring, limbCount: Int) -> Parsed {
        var result = WideInteger(limbCount: limbCount)
        let hex = text.hasPrefix("0x") || text.hasPrefix("0X")
        let body = hex ? text.dropFirst(2) : text
        guard body.contains(where: { $0 != "_" }) else { return .malformed }
        var fits = true
        for character in body where character != "_" {
            guard let digit = character.hexDigitValue, hex || digit < 10 else { return .malformed }
            if fits { fits = result.multiplyAdd(hex ? 16 : 10, UInt64(digit)) }
        }
        return fits ? .value(result) : .tooLarge
    }

    /// The little-endian bytes, `8 * limbs.count` of them.
    package var littleEndianBytes: [UInt8] {
        limbs.flatMap { limb in (0..<8).map { UInt8(truncatingIfNeeded: limb >> (8 * UInt64($0))) } }
    }

    package var isZero: Bool { limbs.allSatisfy { $0 == 0 } }

    package var topBitIsSet: Bool { (limbs.last ?? 0) >> 63 == 1 }

    /// `self = self * factor + addend`; false when the result does not fit.
    package mutating func multiplyAdd(_ factor: UInt64, _ addend: UInt64) -> Bool {
        var carry = addend
        for index in limbs.indices {
            let (high, low) = limbs[index].multipliedFullWidth(by: factor)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            limbs[index] = sum
            carry = high + (overflow ? 1 : 0)
        }
        return carry == 0
    }

    /// Two's complement negation in the full width.
    package mutating func negate() {
        var carry: UInt64 = 1
        for index in limbs.indices {
            let (sum, overflow) = (~limbs[index]).addingReportingOverflow(carry)
            limbs[index] = sum
            carry = overflow ? 1 : 0
        }
    }

    /// Decimal digits, no sign.
    package var decimal: String {
        var value = self
        var digits: [UInt8] = []
        repeat {
            var remainder: UInt64 = 0
            for index in value.limbs.indices.reversed() {
                (value.limbs[index], remainder) = UInt64(10).dividingFullWidth((remainder, value.limbs[index]))
            }
            digits.append(UInt8(ascii: "0") + UInt8(remainder))
        } while !value.isZero
        return String(decoding: digits.reversed(), as: UTF8.self)
    }
}
