/// Bytes as hex text and back, as the contract catalog renders byte strings: lowercase, two
/// digits a byte.
package enum HexBytes {
    /// Two lowercase hex digits per byte, no prefix: `[0x0a, 0xff]` → `0aff`.
    package static func digits(_ bytes: some Sequence<UInt8>) -> String {
        var text = ""
        for byte in bytes {
            text.unicodeScalars.append(digit(byte >> 4))
            text.unicodeScalars.append(digit(byte & 0xF))
        }
        return text
    }

    /// The bytes of `0x`-prefixed hex text (either case), or `nil` without the prefix, with
    /// an odd number of digits, or with a character that is not a hex digit.
    package static func parse(_ text: some StringProtocol) -> [UInt8]? {
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else { return nil }
        let characters = Array(text.dropFirst(2))
        guard characters.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 2)
        for index in stride(from: 0, to: characters.count, by: 2) {
            guard let high = characters[index].hexDigitValue, let low = characters[index + 1].hexDigitValue else {
                return nil
            }
            bytes.append(UInt8(high << 4 | low))
        }
        return bytes
    }

    private static func digit(_ value: UInt8) -> Unicode.Scalar {
        Unicode.Scalar(value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10)
    }
}
