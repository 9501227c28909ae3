import MyceliumCore
import Testing

/// A message written by hand the way the generator writes one.
private struct Tick: MyceliumMessage, Hashable {
    static let typeID: UInt16 = 1500
    static let messageName = "Tick"
    static let payloadSize = 12

    var price: Int64
    var size: UInt32

    init(price: Int64, size: UInt32) {
        self.price = price
        self.size = size
    }

    init(payload: UnsafeRawBufferPointer) throws {
        guard payload.count == Self.payloadSize, let base = payload.baseAddress else {
            throw MessageDecodingError(messageName: Self.messageName, expected: Self.payloadSize, actual: payload.count)
        }
        price = Int64(wireBytes: base)
        size = UInt32(wireBytes: base + 8)
    }

    func encode(into payload: UnsafeMutableRawBufferPointer) {
        precondition(payload.count >= Self.payloadSize, "a Tick payload needs \(Self.payloadSize) bytes")
        price.write(wireBytes: payload.baseAddress!)
        size.write(wireBytes: payload.baseAddress! + 8)
    }
}

@Suite struct MyceliumMessageTests {
    @Test func roundTripsThroughItsPayload() throws {
        let tick = Tick(price: -5, size: 9)
        var bytes = [UInt8](repeating: 0, count: Tick.payloadSize)
        bytes.withUnsafeMutableBytes { tick.encode(into: $0) }
        #expect(bytes == [0xFB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 9, 0, 0, 0])
        #expect(try bytes.withUnsafeBytes { try Tick(payload: $0) } == tick)
    }

    @Test func aPayloadOfTheWrongLengthIsATypedErrorNamingTheSizes() {
        let short = [UInt8](repeating: 0, count: 5)
        let error = #expect(throws: MessageDecodingError.self) { try short.withUnsafeBytes { try Tick(payload: $0) } }
        #expect(error == MessageDecodingError(messageName: "Tick", expected: 12, actual: 5))
        #expect(error?.description.hasPrefix("a Tick payload is 12 bytes, this one is 5;") == true)
        #expect(throws: MessageDecodingError.self) { try Tick(payload: UnsafeRawBufferPointer(start: nil, count: 0)) }
    }

    @Test func messageTypeTableListsTheTypes() {
        let table = MessageTypeTable(messages: [Tick.self])
        #expect(table[1500] == MessageTypeTable.Entry(id: 1500, name: "Tick", maxPayload: 12))
        #expect(table.maxPayload(forTypeID: 1500) == 12)
    }
}
