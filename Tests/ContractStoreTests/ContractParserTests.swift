import Testing

@testable import ContractStore

@Suite struct ContractParserTests {
    func parse(_ yaml: String) throws -> ContractParser.Result {
        try ContractParser.parse(yaml: yaml, file: "test.yaml")
    }

    /// The error diagnostics a file produces (fails the test if it parses).
    func errors(_ yaml: String, file: String = "test.yaml") -> [ContractDiagnostic] {
        do {
            _ = try ContractParser.parse(yaml: yaml, file: file)
            Issue.record("expected errors")
            return []
        } catch {
            return error.errors
        }
    }

    @Test func mappingFormKeepsDeclarationOrder() throws {
        let result = try parse(
            """
            messages:
              M:
                tlv_type: 1100
                fields:
                  zeta: { type: uint8 }
                  alpha: { type: uint64 }
                  mid: { type: "FixedStr<3>" }
            """)
        let message = try #require(result.set.messages.first)
        #expect(message.fields.map(\.name) == ["zeta", "alpha", "mid"])
        #expect(message.fields.map(\.offset) == [0, 1, 9])
        #expect(message.fields.map(\.ordinal) == [0, 1, 2])
        #expect(message.maxPayload == 12)
    }

    @Test func listFormKeepsDeclarationOrder() throws {
        let result = try parse(
            """
            messages:
              M:
                tlv_type: 1100
                fields:
                  - { name: zeta, type: uint8 }
                  - name: alpha
                    type: u64
                  - { name: mid, type: String, max_length: 3 }
            """)
        #expect(result.set.messages[0].fields.map(\.name) == ["zeta", "alpha", "mid"])
        #expect(result.set.messages[0].layout == ["zeta uint8", "alpha uint64", "mid FixedStr<3>"])
    }

    @Test func shortFormKeepsDeclarationOrder() throws {
        let result = try parse(
            """
            messages:
              M:
                tlv_type: 1100
                fields:
                  zeta: uint8
                  alpha: u64
                  mid: "FixedStr<3>"
                  raw: [u8; 4]
            """)
        #expect(result.set.messages[0].layout == ["zeta uint8", "alpha uint64", "mid FixedStr<3>", "raw FixedVec<uint8, 4>"])
    }

    @Test func messagesKeepFileOrder() throws {
        let result = try parse(
            """
            messages:
              Zed: { tlv_type: 1300, fields: { a: u8 } }
              Alpha: { tlv_type: 1100, fields: { a: u8 } }
            """)
        #expect(result.set.messages.map(\.name) == ["Zed", "Alpha"])
    }

    @Test func validationInAllThreeFormsSizesStringAndVec() throws {
        let result = try parse(
            """
            messages:
              M:
                tlv_type: 1100
                fields:
                  a: { type: String, validation: [ { max_length: 5 } ] }
                  b: { type: String, validation: { max_length: 6 } }
                  c: { type: String, max_length: 7 }
                  d: { type: "Vec<i16>", max_length: 3 }
            """)
        #expect(result.set.messages[0].layout == ["a FixedStr<5>", "b FixedStr<6>", "c FixedStr<7>", "d FixedVec<int16, 3>"])
        #expect(result.set.messages[0].fields[3].declaredType == "Vec<i16>")
        #expect(result.warnings.isEmpty)
    }

    @Test func unquotedByteArrayIsAccepted() throws {
        let result = try parse(
            """
            messages:
              M: { tlv_type: 1100, fields: { account: { type: [u8; 20] } } }
            """)
        #expect(result.set.messages[0].fields[0].type == .fixedVec(element: .uint8, count: 20))
        #expect(result.set.messages[0].fields[0].declaredType == "[u8; 20]")
    }

    @Test func schemaHeaderIsRead() throws {
        let result = try parse(
            """
            schema: { id: 0x4D594345, version: 3, min_compatible: 2 }
            messages:
              M: { tlv_type: 1100, fields: { a: u8 } }
            """)
        #expect(result.set.schema == ContractSet.Schema(id: 0x4D59_4345, version: 3, minCompatible: 2))
        #expect(result.set.key == "schema 0x4D594345")
    }

    @Test func setWithoutSchemaIsKeyedByFileName() throws {
        let result = try ContractParser.parse(
            yaml: "messages: { M: { tlv_type: 1100, fields: { a: u8 } } }", file: "/some/dir/desk.yaml")
        #expect(result.set.key == "desk.yaml")
    }

    @Test func unusedKeysWarnWithFileAndLine() throws {
        let result = try ContractParser.parse(yaml: Fixture.text("unused-keys.yaml"), file: "unused-keys.yaml")
        let warnings = result.warnings.map(\.description)
        #expect(
            warnings == [
                "unused-keys.yaml:1:52: warning: schema key 'owner' is not used by the importer; ignored",
                "unused-keys.yaml:2:1: warning: top-level key 'tag_ranges' is not used by the importer; ignored",
                "unused-keys.yaml:6:5: warning: message Trade: message key 'invariants' is not used by the importer; ignored",
                "unused-keys.yaml:8:45: warning: message Trade, field price: validation 'min' is not enforced by the importer; ignored",
                "unused-keys.yaml:9:65: warning: message Trade, field venue: validation 'not_empty' is not enforced by the importer; ignored",
            ])
        #expect(result.set.messages[0].layout == ["price int64", "venue FixedStr<8>"])
    }

    @Test func maxLengthBesideAFixedTypeIsAWarning() throws {
        let result = try parse("messages: { M: { tlv_type: 1100, fields: { a: { type: uint32, max_length: 4 } } } }")
        #expect(result.warnings.map(\.text) == ["max_length only sizes String and Vec<T>; ignored for uint32"])
    }

    @Test func everyErrorInAFileIsReportedWithItsPlace() throws {
        let diagnostics = errors(try Fixture.text("many-errors.yaml"), file: "many-errors.yaml")
        #expect(
            diagnostics.map(\.description) == [
                "many-errors.yaml:7:14: error: message Trade, field price: unknown type 'uint9'; use uint8..uint128, int8..int128, "
                    + "uint256, float32, float64, bool, Address, FixedStr<N>, FixedVec<T, N>, or an alias (u64, i32, f64, U256, "
                    + "[u8; 20], String or Vec<T> with max_length)",
                "many-errors.yaml:8:14: error: message Trade, field venue: type String has no max_length; add `max_length: 32` "
                    + "beside `type` (it becomes FixedStr<32>)",
                "many-errors.yaml:9:12: error: message Trade, field ids: type 'Vec<u32>' has no max_length; add `max_length: N` "
                    + "beside `type` (it becomes FixedVec<T, N>)",
                "many-errors.yaml:15:15: error: message Reserved: tlv_type 999 is outside 1000-65535 (1-999 are reserved for the "
                    + "framework); pick an id in 1000-65535",
                "many-errors.yaml:20:13: error: message Empty: message has no fields; a message needs at least one field",
            ])
    }

    @Test func duplicateTypeIDNamesBothMessages() {
        let diagnostics = errors(
            """
            messages:
              Trade: { tlv_type: 1101, fields: { a: u8 } }
              Quote: { tlv_type: 1101, fields: { a: u8 } }
            """)
        #expect(
            diagnostics.map(\.description) == [
                "test.yaml:3:22: error: message Quote: tlv_type 1101 is already used by message Trade; give each message its own id"
            ])
    }

    @Test func duplicateMessageNameIsAnError() {
        let diagnostics = errors(
            """
            messages:
              Trade: { tlv_type: 1101, fields: { a: u8 } }
              Trade: { tlv_type: 1102, fields: { a: u8 } }
            """)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.text.contains("duplicate key 'Trade'") == true)
        #expect(diagnostics.first?.line == 2)
    }

    @Test func quotedAndPlainKeysOfOneTextAreDuplicates() {
        // The reader takes every scalar as text (Yams' basic resolver): `1` and "1" are one
        // key, not an integer and a string.
        let diagnostics = errors(
            """
            messages:
              M:
                tlv_type: 1100
                fields:
                  1: u8
                  "1": u16
            """)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.text.contains("duplicate key '1'") == true)
    }

    @Test func duplicateFieldNameInListFormIsAnError() {
        let diagnostics = errors(
            """
            messages:
              M:
                tlv_type: 1100
                fields:
                  - { name: a, type: u8 }
                  - { name: a, type: u16 }
            """)
        #expect(
            diagnostics.map(\.description) == [
                "test.yaml:6:17: error: message M, field a: duplicate field name (first at line 5); give each field its own name"
            ])
    }

    static let typeIDs: [(String, String)] = [
        ("999", "tlv_type 999 is outside 1000-65535"),
        ("65536", "tlv_type 65536 is outside 1000-65535"),
        ("-5", "tlv_type -5 is outside 1000-65535"),
        ("abc", "tlv_type must be an integer in 1000-65535, got 'abc'"),
    ]

    @Test(arguments: typeIDs)
    func typeIDOutsideTheDataRangeIsAnError(value: String, expected: String) {
        let diagnostics = errors("messages: { M: { tlv_type: \(value), fields: { a: u8 } } }")
        #expect(diagnostics.map(\.text).contains { $0.hasPrefix(expected) })
    }

    @Test func typeIDBoundsAreAccepted() throws {
        let result = try parse(
            """
            messages:
              Low: { tlv_type: 1000, fields: { a: u8 } }
              High: { tlv_type: 65535, fields: { a: u8 } }
              Hex: { tlv_type: 0x4E20, fields: { a: u8 } }
            """)
        #expect(result.set.messages.map(\.typeID) == [1000, 65535, 20000])
    }

    @Test func messageWithoutFieldsKeyIsAnError() {
        let diagnostics = errors("messages:\n  M: { tlv_type: 1100 }\n")
        #expect(
            diagnostics.map(\.description) == [
                "test.yaml:2:3: error: message M: message has no fields; add a `fields:` mapping with at least one field"
            ])
    }

    @Test func messageWithoutTypeIDIsAnError() {
        let diagnostics = errors("messages:\n  M: { fields: { a: u8 } }\n")
        #expect(diagnostics.map(\.text) == ["message has no tlv_type; add `tlv_type: N` with N in 1000-65535"])
    }

    @Test func malformedYAMLNamesTheLine() throws {
        let diagnostics = errors(try Fixture.text("malformed.yaml"), file: "malformed.yaml")
        #expect(diagnostics.count == 1)
        #expect(diagnostics[0].description.hasPrefix("malformed.yaml:5:1: error: malformed YAML: "))
        #expect(diagnostics[0].text.hasSuffix("fix the YAML syntax"))
    }

    @Test(arguments: ["", "   \n", "# only a comment\n"])
    func emptyFileIsAnError(text: String) {
        #expect(
            errors(text).map(\.description) == [
                "test.yaml: error: the file is empty; a contract file needs a `messages:` mapping (see contracts/contracts.yaml)"
            ])
    }

    @Test func fileWithoutMessagesIsAnError() {
        #expect(
            errors("schema: { id: 1 }\n").map(\.text) == [
                "the file has no `messages:` mapping; add one with at least one message"
            ])
        #expect(errors("- a\n- b\n").map(\.text).first?.hasPrefix("the file's top level must be a mapping") == true)
    }

    @Test func fieldWithoutTypeIsAnError() {
        #expect(
            errors("messages: { M: { tlv_type: 1100, fields: [ { name: a } ] } }").map(\.text) == [
                "field has no type; add `type: uint64` (or another type)"
            ])
    }

    @Test func bundledContractsParseCleanlyAndUseEveryType() throws {
        let result = try ContractParser.parse(yaml: BundledContracts.yaml, file: BundledContracts.fileName)
        #expect(result.warnings.isEmpty)
        let bench = try #require(result.set.messages.first { $0.name == "BenchFrame" })
        #expect(bench.typeID == 1001)
        #expect(bench.maxPayload == 1024)
        #expect(bench.layout == ["data FixedVec<uint8, 1024>"])
        var used = Set<String>()
        for field in result.set.messages.flatMap(\.fields) {
            switch field.type {
            case .fixedStr: used.insert("FixedStr")
            case .fixedVec(let element, _):
                used.insert("FixedVec")
                used.insert(element.canonicalName)
            default: used.insert(field.type.canonicalName)
            }
        }
        #expect(used.isSuperset(of: FieldType.scalars.map(\.name) + ["FixedStr", "FixedVec"]))
        let spellings = Set(result.set.messages.flatMap(\.fields).map(\.declaredType))
        let aliases = ["u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128", "f32", "f64", "U256", "String"]
        #expect(spellings.isSuperset(of: aliases))
        #expect(spellings.contains { $0.hasPrefix("Vec<") })
        #expect(spellings.contains { $0.hasPrefix("[u8;") })
        #expect(spellings.contains { $0.hasPrefix("[i64;") })
    }
}
