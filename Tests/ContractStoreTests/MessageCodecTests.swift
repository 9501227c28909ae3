import Testing

@testable import ContractStore

@Suite struct MessageCodecTests {
    /// One field of every type, in several spellings.
    static let everyType = """
        messages:
          All:
            tlv_type: 1100
            fields:
              u8: uint8
              u16: u16
              u32: uint32
              u64: u64
              u128: uint128
              i8: i8
              i16: int16
              i32: i32
              i64: int64
              i128: i128
              u256: U256
              f32: float32
              f64: f64
              flag: bool
              addr: Address
              name: "FixedStr<8>"
              raw: "[u8; 4]"
              bytes: "FixedVec<uint8, 3>"
              ids: "FixedVec<uint16, 3>"
              wide: "[i128; 2]"
              path: "FixedVec<Address, 2>"
              tags: "FixedVec<FixedStr<3>, 2>"
              grid: "FixedVec<[i8; 2], 2>"
        """

    static let codec: MessageCodec = {
        do {
            return MessageCodec(try #require(ContractParser.parse(yaml: everyType, file: "t").set.messages.first))
        } catch {
            Issue.record("bad fixture: \(error)")
            return MessageCodec(
                MessageContract(typeID: 1100, name: "All", domain: nil, summary: nil, schemaVersion: nil, fields: []))
        }
    }()

    /// Extremes of every type, as the codec renders them.
    static let canonicalJSON = """
        {"u8":255,"u16":65535,"u32":4294967295,"u64":18446744073709551615,\
        "u128":"340282366920938463463374607431768211455","i8":-128,"i16":-32768,"i32":-2147483648,\
        "i64":-9223372036854775808,"i128":"-170141183460469231731687303715884105728",\
        "u256":"115792089237316195423570985008687907853269984665640564039457584007913129639935",\
        "f32":0.1,"f64":-2.5e-300,"flag":true,"addr":"0x00112233445566778899aabbccddeeff00112233",\
        "name":"héllo","raw":"0xdeadbeef","bytes":"0x010200","ids":[1,2,0],\
        "wide":["170141183460469231731687303715884105727","-1"],\
        "path":["0x0000000000000000000000000000000000000001","0x0000000000000000000000000000000000000000"],\
        "tags":["ab",""],"grid":[[-1,1],[0,0]]}
        """

    func encodeError(_ json: String, codec: MessageCodec = Self.codec) -> CodecError? {
        do {
            _ = try codec.encode(json: json)
            return nil
        } catch {
            return error
        }
    }

    /// `canonicalJSON` with the member `key` set to the JSON text `value`.
    func with(_ key: String, _ value: String) -> String {
        guard case .object(let members) = try? JSONValue(parsing: Self.canonicalJSON),
            let replacement = try? JSONValue(parsing: value)
        else {
            Issue.record("bad test input \(value)")
            return ""
        }
        return JSONValue.object(members.map { ($0.key, $0.key == key ? replacement : $0.value) }).text
    }

    @Test func everyTypeRoundTripsAtItsExtremes() throws {
        let payload = try Self.codec.encode(json: Self.canonicalJSON)
        #expect(payload.count == Self.codec.message.maxPayload)
        #expect(try Self.codec.decode(payload).text == Self.canonicalJSON)
        #expect(try Self.codec.encode(Self.codec.decode(payload)) == payload)
    }

    @Test func bytesAreLittleEndianTwosComplementAtTheLayoutOffsets() throws {
        let payload = try Self.codec.encode(
            json: with("i16", "-2").replacingOccurrences(of: "\"u32\":4294967295", with: "\"u32\":258"))
        let fields = Dictionary(uniqueKeysWithValues: Self.codec.message.fields.map { ($0.name, $0) })
        let i16 = try #require(fields["i16"]).offset
        #expect(Array(payload[i16..<i16 + 2]) == [0xFE, 0xFF])
        let u32 = try #require(fields["u32"]).offset
        #expect(Array(payload[u32..<u32 + 4]) == [2, 1, 0, 0])
        let name = try #require(fields["name"]).offset
        #expect(Array(payload[name..<name + 8]) == Array("héllo".utf8) + [0, 0])
        let f32 = try #require(fields["f32"]).offset
        #expect(Array(payload[f32..<f32 + 4]) == [0xCD, 0xCC, 0xCC, 0x3D])
    }

    @Test func alternativeInputFormsGiveTheSamePayload() throws {
        let base = try Self.codec.encode(json: Self.canonicalJSON)
        let alternatives = [
            with("u64", "\"0xFFFFFFFFFFFFFFFF\""),
            with("u64", "\"18_446_744_073_709_551_615\""),
            with("u128", "340282366920938463463374607431768211455"),
            with("u128", "\"0xffffffffffffffffffffffffffffffff\""),
            with("i128", "-170141183460469231731687303715884105728"),
            with("u256", "\"0x\(String(repeating: "f", count: 64))\""),
            with("i8", "\"-128\""),
            with("raw", "[222,173,190,239]"),
            with("raw", "\"0xDEADBEEF\""),
            with("bytes", "[1,2]"),
            with("bytes", "\"0x0102\""),
            with("ids", "[1,2]"),
            with("addr", "[0,17,34,51,68,85,102,119,136,153,170,187,204,221,238,255,0,17,34,51]"),
            with("tags", "[\"ab\"]"),
            with("grid", "[[-1,1]]"),
            with("f32", "1e-1"),
        ]
        for json in alternatives {
            #expect(try Self.codec.encode(json: json) == base, "\(json)")
        }
    }

    @Test func nonFiniteFloatsAreStrings() throws {
        let json = with("f32", "\"nan\"").replacingOccurrences(of: "\"f64\":-2.5e-300", with: "\"f64\":\"-inf\"")
        let decoded = try Self.codec.decode(Self.codec.encode(json: json))
        #expect(decoded["f32"] == .string("nan"))
        #expect(decoded["f64"] == .string("-inf"))
    }

    static let valueErrors: [(String, String, String)] = [
        ("u8", "256", "field u8: 256 is out of range for uint8 (0 to 255)"),
        ("u8", "-1", "field u8: -1 is out of range for uint8 (0 to 255)"),
        ("i8", "128", "field i8: 128 is out of range for int8 (-128 to 127)"),
        ("i8", "-129", "field i8: -129 is out of range for int8 (-128 to 127)"),
        ("u64", "18446744073709551616", "field u64: 18446744073709551616 is out of range for uint64 (0 to 18446744073709551615)"),
        (
            "i64", "9223372036854775808",
            "field i64: 9223372036854775808 is out of range for int64 (-9223372036854775808 to 9223372036854775807)"
        ),
        (
            "i64", "-9223372036854775809",
            "field i64: -9223372036854775809 is out of range for int64 (-9223372036854775808 to 9223372036854775807)"
        ),
        (
            "u128", "\"340282366920938463463374607431768211456\"",
            "field u128: 340282366920938463463374607431768211456 is out of range for uint128 (0 to 2^128-1)"
        ),
        (
            "i128", "\"170141183460469231731687303715884105728\"",
            "field i128: 170141183460469231731687303715884105728 is out of range for int128 (-2^127 to 2^127-1)"
        ),
        (
            "i128", "\"-170141183460469231731687303715884105729\"",
            "field i128: -170141183460469231731687303715884105729 is out of range for int128 (-2^127 to 2^127-1)"
        ),
        (
            "u256", "\"0x1\(String(repeating: "0", count: 64))\"",
            "field u256: 0x1\(String(repeating: "0", count: 64)) is out of range for uint256 (0 to 2^256-1)"
        ),
        (
            "u128", "1e30",
            "field u128: 1e30 is not a whole number as written, so it cannot be read exactly as uint128; write its digits, or quote it as a string"
        ),
        (
            "u32", "1.0",
            "field u32: 1.0 is not a whole number as written, so it cannot be read exactly as uint32; write its digits, or quote it as a string"
        ),
        ("u32", "\"12abc\"", "field u32: '12abc' is not an integer; write a number, or a decimal or 0x hex string"),
        ("u32", "true", "field u32: expected an integer (a number, or a decimal or 0x hex string), got a bool"),
        ("f32", "1e39", "field f32: 1e39 is out of range for float32"),
        ("f64", "1e309", "field f64: 1e309 is out of range for float64"),
        ("f64", "\"1.5\"", "field f64: expected a number (or \"nan\", \"inf\", \"-inf\"), got a string"),
        ("flag", "1", "field flag: expected true or false, got the number 1"),
        ("name", "\"nine bytes\"", "field name: is 10 bytes of UTF-8, longer than FixedStr<8>; shorten it"),
        ("name", "\"ééééé\"", "field name: is 10 bytes of UTF-8, longer than FixedStr<8>; shorten it"),
        ("name", "\"a\\u0000b\"", "field name: contains a NUL character, which FixedStr uses as padding"),
        ("name", "7", "field name: expected a string, got the number 7"),
        ("addr", "\"0x0011\"", "field addr: has 2 bytes; an Address is exactly 20"),
        (
            "addr", "\"00112233445566778899aabbccddeeff00112233\"",
            "field addr: '00112233445566778899aabbccddeeff00112233' is not an Address (0x and 40 hex digits)"
        ),
        ("raw", "\"0xdeadbeef00\"", "field raw: has 5 bytes; the field holds at most 4"),
        ("raw", "\"0xabc\"", "field raw: '0xabc' has an odd number of hex digits"),
        ("raw", "\"0xzz\"", "field raw: '0xzz' is not 0x hex or an array of up to 4 bytes"),
        ("raw", "[1,256]", "field raw[1]: 256 is not a byte (0 to 255)"),
        ("ids", "[1,2,3,4]", "field ids: has 4 elements; FixedVec<uint16, 3> holds at most 3"),
        ("ids", "[1,70000]", "field ids[1]: 70000 is out of range for uint16 (0 to 65535)"),
        ("grid", "[[1,2,3]]", "field grid[0]: has 3 elements; FixedVec<int8, 2> holds at most 2"),
        ("tags", "[\"abcd\"]", "field tags[0]: is 4 bytes of UTF-8, longer than FixedStr<3>; shorten it"),
        ("ids", "{}", "field ids: expected an array of up to 3 elements, got an object"),
        ("u8", "null", "field u8: expected an integer (a number, or a decimal or 0x hex string), got null"),
    ]

    @Test(arguments: valueErrors)
    func valueThatDoesNotFitNamesTheField(field: String, value: String, expected: String) {
        #expect(encodeError(with(field, value))?.description == expected)
    }

    @Test func unknownMissingAndRepeatedFieldsAreErrors() {
        #expect(
            encodeError(Self.canonicalJSON.replacingOccurrences(of: "{\"u8\":255,", with: "{\"u9\":255,"))?.description
                == "field u9: All has no such field; its fields are u8, u16, u32, u64, u128, i8, i16, i32, i64, i128, u256, f32, "
                + "f64, flag, addr, name, raw, bytes, ids, wide, path, tags, grid")
        #expect(
            encodeError(Self.canonicalJSON.replacingOccurrences(of: "{\"u8\":255,", with: "{"))?.description
                == "field u8: missing; All needs every field (uint8)")
        #expect(
            encodeError(Self.canonicalJSON.replacingOccurrences(of: "{\"u8\":255,", with: "{\"u8\":255,\"u8\":1,"))?.description
                == "field u8: given twice; give each field once")
        #expect(encodeError("[1]")?.description == "All must be a JSON object of its fields, got an array")
        #expect(encodeError("{\"u8\":")?.description == "invalid JSON at byte 6: unexpected end of input")
    }

    @Test func errorsCarryTheirKind() {
        let renamed = Self.canonicalJSON.replacingOccurrences(of: "{\"u8\":255,", with: "{\"u9\":255,")
        #expect(encodeError(renamed)?.code == .unknownField)
        #expect(encodeError(Self.canonicalJSON.replacingOccurrences(of: "{\"u8\":255,", with: "{"))?.code == .missingField)
        #expect(encodeError("[1]")?.code == .wrongType)
        #expect(encodeError("{\"u8\":")?.code == .invalidJSON)
        #expect(encodeError(with("ids", "[1,70000]"))?.code == .outOfRange)
        #expect(encodeError(with("raw", "\"0xdeadbeef00\""))?.code == .wrongLength)
        #expect(encodeError(with("raw", "\"0xabc\""))?.code == .invalidValue)
        #expect(encodeError(with("u8", "null"))?.field == "u8")
    }

    @Test func payloadOfTheWrongLengthIsRefused() throws {
        let size = Self.codec.message.maxPayload
        for count in [0, size - 1, size + 1] {
            #expect(throws: CodecError(.wrongLength, field: nil, "payload is \(count) bytes; All takes exactly \(size)")) {
                try Self.codec.decode([UInt8](repeating: 0, count: count))
            }
        }
    }

    @Test func payloadBytesThatAreNotValidValuesAreRefused() throws {
        let fields = Dictionary(uniqueKeysWithValues: Self.codec.message.fields.map { ($0.name, $0) })
        var payload = try Self.codec.encode(json: Self.canonicalJSON)
        payload[try #require(fields["flag"]).offset] = 2
        #expect(throws: CodecError(.invalidValue, field: "flag", "holds 2, not a bool (0 or 1)")) {
            try Self.codec.decode(payload)
        }
        payload = try Self.codec.encode(json: Self.canonicalJSON)
        payload[try #require(fields["name"]).offset] = 0xFF
        #expect(throws: CodecError(.invalidValue, field: "name", "holds bytes that are not UTF-8 text")) {
            try Self.codec.decode(payload)
        }
    }

    @Test func bundledMessagesEncodeFromTheCatalog() throws {
        let directory = try TemporaryDirectory()
        let (catalog, _) = try Catalog.openOrCreateFromBundled(path: directory.path("c.db"))
        let trade = try catalog.codec(for: "1101")
        let json = #"{"instrument_id":7,"price":-12345,"quantity":100,"side":1,"timestamp_ns":1764300000000000000}"#
        let payload = try trade.encode(json: json)
        #expect(payload.count == 29)
        #expect(try trade.decode(payload).text == json)
        let bench = try catalog.codec(for: "BenchFrame")
        let frame = try bench.decode([UInt8](repeating: 0xAB, count: 1024))
        #expect(frame["data"] == .string("0x" + String(repeating: "ab", count: 1024)))
    }
}
