import Foundation
import MyceliumCore
import Testing

@Suite struct FixedArrayTests {
    @Test func isAMutableRandomAccessCollectionOfCountElements() {
        var levels = FixedArray<4, Int64>(repeating: 0)
        levels[1] = -7
        levels.sort()
        #expect(Array(levels) == [-7, 0, 0, 0])
        #expect(levels.count == 4)
        #expect(levels.description == "[-7, 0, 0, 0]")
    }

    @Test func padsFewerElementsWithZeroAndRefusesMore() {
        #expect(FixedArray<4, UInt32>([5, 7]).map(Array.init) == [5, 7, 0, 0])
        #expect(FixedArray<2, UInt32>([1, 2, 3]) == nil)
        #expect(FixedArray<2, Bool>([true]).map(Array.init) == [true, false])
    }

    @Test func isItsElementsOneAfterAnotherOnTheWire() throws {
        let values = try #require(FixedArray<3, Int16>([1, -2, 0x0304]))
        #expect(wireBytes(values) == [1, 0, 0xFE, 0xFF, 4, 3])
        #expect(fromWire(wireBytes(values), as: FixedArray<3, Int16>.self) == values)
        let path = try #require(FixedArray<2, Address>([Address(bytes: [UInt8](repeating: 9, count: 20))!]))
        #expect(fromWire(wireBytes(path), as: FixedArray<2, Address>.self) == path)
        #expect(FixedArray<2, Address>.wireSize == 40)
    }

    @Test func isAnArrayInJSONOrHexForBytes() throws {
        #expect(try json(FixedArray<3, Int16>([1, -2])!) == #"{"value":[1,-2,0]}"#)
        #expect(try json(FixedArray<2, UInt128>([.max])!) == #"{"value":["\#(UInt128.max)","0"]}"#)
        #expect(try json(FixedArray<3, UInt8>([0xAB, 1])!) == #"{"value":"0xab0100"}"#)
        #expect(FixedArray<3, UInt8>([0xAB, 1])!.description == "0xab0100")
        #expect(try decodeJSON(#""0xab""#) == FixedArray<3, UInt8>([0xAB]))
        #expect(try decodeJSON("[171,1]") == FixedArray<3, UInt8>([0xAB, 1]))
        #expect(try decodeJSON("[1]") == FixedArray<3, Int16>([1]))
    }

    @Test func refusesTooManyElementsInJSONNamingTheField() throws {
        let error = #expect(throws: DecodingError.self) { try decodeJSON("[1,2,3]", as: FixedArray<2, Int16>.self) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.first?.stringValue == "value")
        #expect(context.debugDescription == "has 3 elements; it holds at most 2")
        let bytes = #expect(throws: DecodingError.self) { try decodeJSON(#""0x010203""#, as: FixedArray<2, UInt8>.self) }
        #expect("\(bytes as Any)".contains("has 3 bytes; the field holds at most 2"))
    }
}
