import Foundation
import MyceliumCore
import Testing

@Suite struct FixedStringTests {
    @Test func holdsUpToCapacityBytesOfUTF8() throws {
        let symbol: FixedString<8> = "WETH"
        #expect(symbol.string == "WETH")
        #expect(symbol.description == "WETH")
        // A literal argument would pick the literal initializer, so the text is a variable.
        let texts = ["12345678", "123456789", "ééé", "a\u{0}b", ""]
        #expect(FixedString<8>(texts[0])?.string == "12345678")
        #expect(FixedString<8>(texts[1]) == nil)
        #expect(FixedString<4>(texts[2]) == nil)  // 6 bytes
        #expect(FixedString<4>(texts[3]) == nil)
        #expect(FixedString<4>(texts[4])?.string == "")
    }

    @Test func isZeroPaddedOnTheWire() throws {
        let symbol: FixedString<6> = "ab"
        #expect(wireBytes(symbol) == [0x61, 0x62, 0, 0, 0, 0])
        #expect(fromWire([0x61, 0x62, 0, 0x63, 0, 0], as: FixedString<6>.self).string == "ab")
        #expect(fromWire(wireBytes(symbol), as: FixedString<6>.self) == symbol)
    }

    @Test func isTextInJSONAndRefusesTooLongTextNamingTheField() throws {
        #expect(try json("XNAS" as FixedString<8>) == #"{"value":"XNAS"}"#)
        #expect(try decodeJSON(#""XNAS""#, as: FixedString<8>.self) == "XNAS")
        let error = #expect(throws: DecodingError.self) { try decodeJSON(#""too long""#, as: FixedString<4>.self) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["value"])
        #expect(context.debugDescription == "is 8 bytes of UTF-8, longer than FixedStr<4>; shorten it")
    }
}
