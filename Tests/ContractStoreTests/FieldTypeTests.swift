import Testing

@testable import ContractStore

@Suite struct FieldTypeTests {
    /// Every row of Architecture.md's size table, in canonical spelling.
    static let canonical: [(String, Int)] = [
        ("uint8", 1), ("int8", 1), ("bool", 1), ("uint16", 2), ("int16", 2), ("uint32", 4), ("int32", 4), ("float32", 4),
        ("uint64", 8), ("int64", 8), ("float64", 8), ("uint128", 16), ("int128", 16), ("uint256", 32), ("Address", 20),
        ("FixedStr<32>", 32), ("FixedVec<uint8, 1024>", 1024), ("FixedVec<Address, 4>", 80), ("FixedVec<uint256, 3>", 96),
        ("FixedVec<FixedStr<8>, 2>", 16),
    ]

    @Test(arguments: canonical)
    func canonicalSpellingHasItsSizeAndRoundTrips(spelling: String, size: Int) throws {
        let type = try FieldTypeSpelling.parse(spelling, maxLength: nil)
        #expect(type.size == size)
        #expect(type.canonicalName == spelling)
    }

    /// Every alias Architecture.md lists, with the canonical type it becomes.
    static let aliases: [(String, Int?, String)] = [
        ("u8", nil, "uint8"), ("u16", nil, "uint16"), ("u32", nil, "uint32"), ("u64", nil, "uint64"), ("u128", nil, "uint128"),
        ("i8", nil, "int8"), ("i16", nil, "int16"), ("i32", nil, "int32"), ("i64", nil, "int64"), ("i128", nil, "int128"),
        ("f32", nil, "float32"), ("f64", nil, "float64"), ("U256", nil, "uint256"),
        ("[u8; 20]", nil, "FixedVec<uint8, 20>"), ("[i64; 10]", nil, "FixedVec<int64, 10>"),
        ("[Address;2]", nil, "FixedVec<Address, 2>"), ("FixedVec<u8, 20>", nil, "FixedVec<uint8, 20>"),
        (" FixedVec< u8 ,20 > ", nil, "FixedVec<uint8, 20>"), ("String", 32, "FixedStr<32>"),
        ("Vec<u32>", 10, "FixedVec<uint32, 10>"), ("Vec<[u8; 4]>", 3, "FixedVec<FixedVec<uint8, 4>, 3>"),
    ]

    @Test(arguments: aliases)
    func aliasMapsToOneCanonicalType(spelling: String, maxLength: Int?, canonical: String) throws {
        #expect(try FieldTypeSpelling.parse(spelling, maxLength: maxLength).canonicalName == canonical)
    }

    @Test func byteVectorsAreRecognisedHoweverSpelled() throws {
        for spelling in ["[u8; 20]", "FixedVec<u8, 20>", "FixedVec<uint8, 20>"] {
            #expect(try FieldTypeSpelling.parse(spelling, maxLength: nil).isByteVector)
        }
        #expect(try !FieldTypeSpelling.parse("FixedVec<int8, 20>", maxLength: nil).isByteVector)
    }

    static let refused: [(String, Int?, String)] = [
        ("uint9", nil, "unknown type 'uint9'"),
        ("String", nil, "type String has no max_length"),
        ("Vec<u8>", nil, "has no max_length"),
        ("FixedVec<uint8, 0>", nil, "is 0; a field is never sized 0"),
        ("FixedStr<0>", nil, "is 0"),
        ("FixedVec<uint8, -3>", nil, "is -3"),
        ("FixedVec<uint8, many>", nil, "must be a whole number of at least 1, got 'many'"),
        ("FixedVec<uint8, 4", nil, "unclosed '<'"),
        ("[u8; 4", nil, "missing ']'"),
        ("[u8 4]", nil, "expected [T; N]"),
        ("FixedVec<uint8>", nil, "wrong number of parameters"),
        ("FixedVec", nil, "needs parameters"),
        ("FixedVec<String, 3>", nil, "has no fixed size"),
        ("FixedVec<uint256, 999999999999>", nil, "larger than a frame can carry"),
        ("Map<u8, u8>", nil, "unknown type 'Map<u8, u8>'"),
    ]

    @Test(arguments: refused)
    func refusedSpellingSaysWhy(spelling: String, maxLength: Int?, expected: String) {
        #expect {
            try FieldTypeSpelling.parse(spelling, maxLength: maxLength)
        } throws: { error in
            (error as? FieldTypeSpelling.Failure)?.text.contains(expected) == true
        }
    }
}
