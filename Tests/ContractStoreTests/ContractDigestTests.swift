import Testing

@testable import ContractStore

@Suite struct ContractDigestTests {
    func set(_ yaml: String) throws -> ContractSet {
        try ContractParser.parse(yaml: yaml, file: "test.yaml").set
    }

    @Test func renderingIsExactlyDesignMdsAndHashedWithSHA256() throws {
        let contracts = try set(
            """
            messages:
              Trade: { tlv_type: 1101, description: ignored, fields: { price: i64, qty: u32 } }
            """)
        #expect(ContractDigest.rendering(of: contracts.messages) == "1101 Trade\n0 price int64 8\n1 qty uint32 4\n")
        // sha256 of the rendering above, computed independently (Python hashlib).
        #expect(ContractDigest.hex(contracts.digest) == "e975e01ec00e93d7b74a391fd6424509a02bdca11444d5266eb3e9f3086dc59d")
    }

    @Test func messagesAreRenderedInTypeIDOrder() throws {
        let contracts = try set(
            """
            messages:
              B: { tlv_type: 1200, fields: { a: u8 } }
              A: { tlv_type: 1100, fields: { a: FixedStr<2> } }
            """)
        #expect(ContractDigest.rendering(of: contracts.messages) == "1100 A\n0 a FixedStr<2> 2\n1200 B\n0 a uint8 1\n")
    }

    @Test func anotherFormOrSpellingGivesTheSameDigest() throws {
        let canonical = try set(
            """
            messages:
              M:
                tlv_type: 1100
                fields:
                  account: { type: "FixedVec<uint8, 20>" }
                  amount: { type: uint256 }
                  venue: { type: "FixedStr<8>" }
            """)
        let aliases = try set(
            """
            schema: { id: 5 }
            messages:
              M:
                tlv_type: 1100
                domain: Elsewhere
                description: "a different description"
                fields:
                  - { name: account, type: [u8; 20] }
                  - { name: amount, type: U256 }
                  - { name: venue, type: String, validation: [ { max_length: 8 } ] }
            """)
        let short = try set(
            """
            messages:
              M:
                tlv_type: 1100
                fields:
                  account: "FixedVec<u8, 20>"
                  amount: uint256
                  venue: "FixedStr<8>"
            """)
        #expect(canonical.digest == aliases.digest)
        #expect(canonical.digest == short.digest)
    }

    @Test func reorderedFieldsChangeTheDigest() throws {
        let first = try set("messages: { M: { tlv_type: 1100, fields: { a: u8, b: u16 } } }")
        let swapped = try set("messages: { M: { tlv_type: 1100, fields: { b: u16, a: u8 } } }")
        let renamed = try set("messages: { M: { tlv_type: 1100, fields: { a: u8, c: u16 } } }")
        let retyped = try set("messages: { M: { tlv_type: 1100, fields: { a: u8, b: i16 } } }")
        let renumbered = try set("messages: { M: { tlv_type: 1101, fields: { a: u8, b: u16 } } }")
        let digests = Set([first, swapped, renamed, retyped, renumbered].map(\.digest))
        #expect(digests.count == 5)
        #expect(first.digest.count == 32)
    }
}
