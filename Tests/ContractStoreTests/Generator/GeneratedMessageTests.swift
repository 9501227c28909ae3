import ContractStore
import Foundation
import MyceliumCore
import Testing

/// The golden output, compiled: every field type through encode/decode and JSON.
@Suite struct GeneratedMessageTests {
    static let address = Address(hex: "0x8ad599c3a0ff1de082011efddc58f1908eb6e6d8")!

    static let scalars = Scalars(
        orderID: .max, aUint8: 255, aUint16: 65_535, aUint32: 4_294_967_295, aUint128: .max, aInt8: -128,
        aInt16: -32_768, aInt32: .min, aInt64: .min, aInt128: .min, aUint256: .max, aFloat32: -1.5, aFloat64: 0.25,
        aBool: true, anAddress: address, symbol: "twelve bytes", default: 7)

    static let aliases = Aliases(
        bU8: 1, bU16: 2, bU32: 3, bU64: 4, bU128: 5, bI8: -6, bI16: -7, bI32: -8, bI64: -9, bI128: .max, bF32: 10.5,
        bF64: -11.75, bigU256: UInt256(high: 1, low: 2), smallU256: 3, account: FixedArray([1, 2, 3])!, venue: "XNAS",
        levels: FixedArray([-1, 2])!)

    static let vectors = Vectors(
        bytes: FixedArray([0xDE, 0xAD])!, prices: FixedArray([-1, 0, .max])!, path: FixedArray([address])!,
        wide: FixedArray([.max, 1])!, signedWide: FixedArray([.min, -1])!, huge: FixedArray([.max])!,
        flags: FixedArray([true, false, true])!, ratios: FixedArray([0.5, -2])!, names: FixedArray(["abcd", "é"])!,
        grid: FixedArray([FixedArray([1, -2])!, FixedArray([3, -4])!])!)

    @Test func everyFieldTypeRoundTripsThroughItsPayload() throws {
        #expect(try GeneratedCode.decode(GeneratedCode.payload(of: Self.scalars), as: Scalars.self) == Self.scalars)
        #expect(try GeneratedCode.decode(GeneratedCode.payload(of: Self.aliases), as: Aliases.self) == Self.aliases)
        #expect(try GeneratedCode.decode(GeneratedCode.payload(of: Self.vectors), as: Vectors.self) == Self.vectors)
    }

    @Test func payloadIsWhatTheCatalogCodecReadsAndWrites() throws {
        let messages = try GeneratedCode.messages()
        try check(Self.scalars, messages)
        try check(Self.aliases, messages)
        try check(Self.vectors, messages)
    }

    /// The codec decodes the typed payload into the JSON `Codable` writes, and encodes that
    /// JSON into the same payload; `Codable` reads the codec's JSON back into the value.
    private func check<Message: MyceliumMessage & Codable & Equatable>(_ value: Message, _ contracts: [MessageContract]) throws {
        let contract = try #require(contracts.first { $0.name == Message.messageName })
        let codec = MessageCodec(contract)
        let payload = GeneratedCode.payload(of: value)
        let codecJSON = try codec.decode(payload)
        let typedJSON = try JSONValue(parsing: String(decoding: try JSONEncoder().encode(value), as: UTF8.self))
        #expect(GeneratedCode.normalized(typedJSON) == GeneratedCode.normalized(codecJSON))
        #expect(try codec.encode(typedJSON) == payload)
        #expect(try JSONDecoder().decode(Message.self, from: Data(codecJSON.text.utf8)) == value)
    }

    @Test func nonFiniteFloatsAreTheCatalogsStrings() throws {
        var infinite = Self.scalars
        infinite.aFloat32 = .infinity
        infinite.aFloat64 = -.infinity
        try check(infinite, try GeneratedCode.messages())

        var notANumber = Self.scalars
        notANumber.aFloat64 = .nan
        let json = String(decoding: try JSONEncoder().encode(notANumber), as: UTF8.self)
        #expect(json.contains(#""a_float64":"nan""#))
        #expect(try JSONDecoder().decode(Scalars.self, from: Data(json.utf8)).aFloat64.isNaN)

        let misspelt = json.replacingOccurrences(of: #""a_float64":"nan""#, with: #""a_float64":"NaN""#)
        let error = #expect(throws: DecodingError.self) { try JSONDecoder().decode(Scalars.self, from: Data(misspelt.utf8)) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["a_float64"])
        #expect(context.debugDescription == #"'NaN' is not a number; write a JSON number, "nan", "inf" or "-inf""#)
    }

    @Test func aPayloadOfTheWrongLengthNamesTheMessageAndSizes() {
        let error = #expect(throws: MessageDecodingError.self) {
            try GeneratedCode.decode([UInt8](repeating: 0, count: 3), as: Scalars.self)
        }
        #expect(error == MessageDecodingError(messageName: "Scalars", expected: 140, actual: 3))
    }

    @Test func codableNamesTheFieldThatDoesNotFit() throws {
        var json = String(decoding: try JSONEncoder().encode(Self.aliases), as: UTF8.self)
        json = json.replacingOccurrences(of: #""venue":"XNAS""#, with: #""venue":"TOO LONG""#)
        let error = #expect(throws: DecodingError.self) { try JSONDecoder().decode(Aliases.self, from: Data(json.utf8)) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["venue"])
        #expect(context.debugDescription == "is 8 bytes of UTF-8, longer than FixedStr<6>; shorten it")
    }
}
