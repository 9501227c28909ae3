import Foundation
import MyceliumCore
import Testing

@Suite struct AddressTests {
    let hex = "0x8ad599c3a0ff1de082011efddc58f1908eb6e6d8"

    @Test func readsHexAndBytes() throws {
        let address = try #require(Address(hex: hex))
        #expect(address.description == hex)
        #expect(Address(hex: hex.uppercased().replacingOccurrences(of: "0X", with: "0x")) == address)
        #expect(Address(bytes: Array(address.bytes)) == address)
        #expect(Address(bytes: [UInt8](repeating: 1, count: 19)) == nil)
        #expect(Address(bytes: [UInt8](repeating: 1, count: 21)) == nil)
        #expect(Address(hex: "8ad599c3a0ff1de082011efddc58f1908eb6e6d8") == nil)
        #expect(Address(hex: "0x8ad5") == nil)
        #expect(Address(hex: "0x8ad599c3a0ff1de082011efddc58f1908eb6e6dz") == nil)
    }

    @Test func isItsTwentyBytesOnTheWire() throws {
        let address = try #require(Address(hex: hex))
        let bytes = wireBytes(address)
        #expect(bytes == Array(address.bytes))
        #expect(bytes.first == 0x8a && bytes.last == 0xd8)
        #expect(fromWire(bytes, as: Address.self) == address)
    }

    @Test func isLowercaseHexInJSONAndReadsArraysOfNumbers() throws {
        let address = try #require(Address(hex: hex))
        #expect(try json(address) == #"{"value":"\#(hex)"}"#)
        #expect(try decodeJSON(#""\#(hex.uppercased().replacingOccurrences(of: "0X", with: "0x"))""#) == address)
        #expect(try decodeJSON("[\(address.bytes.map(String.init).joined(separator: ","))]") == address)
        let short = #expect(throws: DecodingError.self) { try decodeJSON("[1,2,3]", as: Address.self) }
        #expect("\(short as Any)".contains("has 3 bytes; an Address is exactly 20"))
        let malformed = #expect(throws: DecodingError.self) { try decodeJSON(#""0xzz""#, as: Address.self) }
        #expect("\(malformed as Any)".contains("is not an Address"))
    }
}
