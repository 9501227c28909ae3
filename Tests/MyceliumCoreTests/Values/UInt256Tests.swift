import Foundation
import MyceliumCore
import Testing

@Suite struct UInt256Tests {
    @Test func readsLiteralsDecimalAndHex() {
        let max: UInt256 =
            115_792_089_237_316_195_423_570_985_008_687_907_853_269_984_665_640_564_039_457_584_007_913_129_639_935
        #expect(max == .max)
        #expect(max.description == "115792089237316195423570985008687907853269984665640564039457584007913129639935")
        #expect(UInt256("0x" + String(repeating: "f", count: 64)) == .max)
        #expect(UInt256("0xff") == 255)
        #expect(UInt256("1_000") == UInt256(1000))
        #expect(UInt256(7).description == "7")
        #expect(UInt256(0).description == "0")
        let twoTo128: UInt256 = 340_282_366_920_938_463_463_374_607_431_768_211_456
        #expect(twoTo128 == UInt256(high: 1, low: 0))
    }

    @Test func refusesTextThatIsNotAUInt256() {
        #expect(UInt256("0x1" + String(repeating: "0", count: 64)) == nil)  // 2^256
        #expect(UInt256("-1") == nil)
        #expect(UInt256("12a") == nil)
        #expect(UInt256("") == nil)
        #expect(UInt256("0x") == nil)
    }

    @Test func comparesByValue() {
        #expect(UInt256(high: 0, low: .max) < UInt256(high: 1, low: 0))
        #expect(UInt256(3) < UInt256(4))
        #expect(!(UInt256.max < UInt256.max))
    }

    @Test func isThirtyTwoLittleEndianBytesOnTheWire() {
        let value = UInt256(high: 0x0102, low: 0x0304)
        let bytes = wireBytes(value)
        #expect(bytes.count == 32)
        #expect(bytes[0] == 0x04 && bytes[1] == 0x03 && bytes[16] == 0x02 && bytes[17] == 0x01)
        #expect(fromWire(bytes, as: UInt256.self) == value)
        #expect(fromWire(wireBytes(UInt256.max), as: UInt256.self) == .max)
    }

    @Test func isADecimalStringInJSON() throws {
        #expect(try json(UInt256.max) == #"{"value":"\#(UInt256.max)"}"#)
        #expect(try decodeJSON(#""0x10""#, as: UInt256.self) == 16)
        #expect(try decodeJSON("42", as: UInt256.self) == 42)
        let error = #expect(throws: DecodingError.self) { try decodeJSON(#""-5""#, as: UInt256.self) }
        #expect("\(error.map { $0 } as Any)".contains("'-5' is not a uint256"))
    }

    @Test func wideStandardIntegersAreDecimalStringsInJSON() throws {
        #expect(try json(UInt128.max) == #"{"value":"\#(UInt128.max)"}"#)
        #expect(try json(Int128.min) == #"{"value":"\#(Int128.min)"}"#)
        #expect(try decodeJSON(#""-170141183460469231731687303715884105728""#, as: Int128.self) == .min)
        #expect(try decodeJSON(#""0xff""#, as: UInt128.self) == 255)
        #expect(try decodeJSON("-3", as: Int128.self) == -3)
        #expect(throws: DecodingError.self) { try decodeJSON(#""170141183460469231731687303715884105728""#, as: Int128.self) }
        #expect(throws: DecodingError.self) { try decodeJSON(#""-1""#, as: UInt128.self) }
    }
}
