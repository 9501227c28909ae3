import Testing

@testable import ContractStore

@Suite struct JSONValueTests {
    @Test func numbersKeepTheirLiteralText() throws {
        let value = try JSONValue(
            parsing: #" {"big": 115792089237316195423570985008687907853269984665640564039457584007913129639935, "f": -1.5e-3} "#)
        #expect(value["big"] == .number("115792089237316195423570985008687907853269984665640564039457584007913129639935"))
        #expect(value["f"] == .number("-1.5e-3"))
    }

    @Test func objectsKeepKeyOrderAndRenderCompactly() throws {
        let text = #"{"z":1,"a":[true,false,null],"m":{"s":"x"}}"#
        let value = try JSONValue(parsing: text)
        #expect(value.text == text)
    }

    @Test func stringsAreEscapedBothWays() throws {
        let value = try JSONValue(parsing: #""quote \" slash \\ \/ tab \t nl \n \u00e9 \ud83d\ude00 \u0001""#)
        #expect(value == .string("quote \" slash \\ / tab \t nl \n é 😀 \u{01}"))
        #expect(value.text == #""quote \" slash \\ / tab \t nl \n é 😀 \u0001""#)
        #expect(try JSONValue(parsing: value.text) == value)
    }

    static let invalid: [(String, String)] = [
        ("", "invalid JSON at byte 0: unexpected end of input"),
        ("{", "invalid JSON at byte 1: expected a member name in quotes"),
        (#"{"a" 1}"#, #"invalid JSON at byte 5: expected ':' after "a""#),
        (#"{"a":1,}"#, "invalid JSON at byte 7: expected a member name in quotes"),
        ("[1 2]", "invalid JSON at byte 3: expected ',' or ']'"),
        ("01", "invalid JSON at byte 2: a number may not have leading zeros"),
        ("1.", "invalid JSON at byte 2: expected digits after '.'"),
        ("-", "invalid JSON at byte 1: expected digits in a number"),
        ("1e", "invalid JSON at byte 2: expected digits in the exponent"),
        ("tru", "invalid JSON at byte 0: expected true"),
        (#""abc"#, "invalid JSON at byte 4: unterminated string"),
        (#""\x""#, #"invalid JSON at byte 3: unknown escape '\x'"#),
        (#""\ud800""#, #"invalid JSON at byte 7: unpaired surrogate \ud800"#),
        ("1 2", "invalid JSON at byte 2: unexpected text after the JSON value"),
        ("'a'", "invalid JSON at byte 0: unexpected character '''"),
        (
            String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
            "invalid JSON at byte 64: nested deeper than 64 levels"
        ),
    ]

    @Test(arguments: invalid)
    func invalidJSONSaysWhereAndWhy(text: String, expected: String) {
        #expect(throws: CodecError(.invalidJSON, field: nil, expected)) { try JSONValue(parsing: text) }
    }

    @Test func controlCharacterInAStringIsRefused() {
        #expect(throws: CodecError(.invalidJSON, field: nil, "invalid JSON at byte 2: control character in a string; escape it"))
        {
            try JSONValue(parsing: "\"a\u{01}\"")
        }
    }
}
