import ContractStore
import MyceliumCore
import Testing

@Suite struct SwiftGeneratorNameTests {
    private func problems(_ yaml: String, name: String = "Contracts") throws -> [String] {
        let messages = try ContractParser.parse(yaml: yaml, file: "names.yaml").set.messages
        let error = #expect(throws: GeneratorError.self) {
            try SwiftGenerator(name: name, source: "names.yaml").files(for: messages)
        }
        return error?.problems ?? []
    }

    @Test func fieldNamesBecomeLowerCamelCaseWithID() throws {
        let yaml = """
            messages:
              M: { tlv_type: 1000, fields: { instrument_id: u8, sqrt_price: u8, URL: u8, id: u8, player_id_hash: u8, default: u8 } }
            """
        let messages = try ContractParser.parse(yaml: yaml, file: "names.yaml").set.messages
        let file = try SwiftGenerator(source: "names.yaml").files(for: messages)[0].contents
        for property in ["instrumentID", "sqrtPrice", "url", "id", "playerIDHash", "`default`"] {
            #expect(file.contains("    public var \(property): UInt8\n"), "no property \(property)")
        }
        #expect(file.contains(#"case instrumentID = "instrument_id""#))
        #expect(file.contains("case `default`\n"))
    }

    @Test func namesThatCannotBeSwiftIdentifiersAreErrors() throws {
        #expect(
            try problems("messages:\n  M: { tlv_type: 1000, fields: { _0x: u8 } }") == [
                "message M, field _0x: its Swift name '0x' is not a Swift identifier: it starts with a digit; rename the field"
            ])
        #expect(
            try problems("messages:\n  Straße: { tlv_type: 1000, fields: { a: u8 } }") == [
                "message Straße: the name is not a Swift identifier of ASCII letters, digits and _; rename the message in the contracts"
            ])
        #expect(
            try problems("messages:\n  M: { tlv_type: 1000, fields: { _: u8 } }") == [
                "message M, field _: its Swift name '' is empty; rename the field"
            ])
        #expect(
            try problems("messages:\n  M: { tlv_type: 1000, fields: { a: u8 } }", name: "9Lives") == [
                "the enum name '9Lives' is not a Swift identifier: it starts with a digit; pass another --name"
            ])
        #expect(
            try problems("messages:\n  class: { tlv_type: 1000, fields: { a: u8 } }") == [
                "message class: the name is a Swift keyword; rename the message in the contracts"
            ])
        #expect(
            try problems("messages:\n  M: { tlv_type: 1000, fields: { self: u8 } }") == [
                "message M, field self: its Swift name 'self' cannot be a Swift property name; rename the field"
            ])
    }

    @Test func namesThatCollideAreErrors() throws {
        #expect(
            try problems("messages:\n  Address: { tlv_type: 1000, fields: { a: u8 } }") == [
                "message Address: the name collides with MyceliumCore's Address, which the generated code uses; "
                    + "rename the message in the contracts"
            ])
        #expect(
            try problems("messages:\n  Double: { tlv_type: 1000, fields: { a: u8 } }") == [
                "message Double: the name collides with the standard library's Double, which the generated code uses; "
                    + "rename the message in the contracts"
            ])
        #expect(
            try problems("messages:\n  Contracts: { tlv_type: 1000, fields: { a: u8 } }") == [
                "message Contracts: the name is the enum's (--name Contracts); pass another --name or rename the message"
            ])
        #expect(
            try problems("messages:\n  M: { tlv_type: 1000, fields: { bid_id: u8, bidID: u8, hash_value: u8, encode: u8 } }") == [
                "message M, field bidID: its Swift name 'bidID' is also field bid_id's; rename one of them",
                "message M, field hash_value: its Swift name 'hashValue' collides with the message's own member hashValue; "
                    + "rename the field",
                "message M, field encode: its Swift name 'encode' collides with the message's own member encode; rename the field",
            ])
    }
}
