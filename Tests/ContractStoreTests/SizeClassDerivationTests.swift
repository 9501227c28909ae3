import MyceliumCore
import Testing

@testable import ContractStore

/// The catalog's plan, derived as Architecture.md says, at the class boundaries.
@Suite struct SizeClassDerivationTests {
    static let cases: [(payload: Int, size: Int, capacity: Int)] = [
        (1, 128, 512), (127, 128, 512), (128, 128, 512), (129, 256, 256), (256, 256, 256), (1024, 1024, 64),
        (1025, 2048, 32), (65_536, 65_536, 1), (65_537, 131_072, 1), (200_000, 262_144, 1),
    ]

    @Test(arguments: cases)
    func messageOfPayloadFallsInItsClass(payload: Int, size: Int, capacity: Int) throws {
        let directory = try TemporaryDirectory()
        let catalog = try Catalog(path: directory.path("c.db"))
        _ = try catalog.importContracts(
            yaml: "messages: { M: { tlv_type: 1100, fields: { data: \"[u8; \(payload)]\" } } }", file: "m.yaml")
        #expect(try catalog.sizeClassPlan().classes == [.init(size: size, capacity: capacity)])
        #expect(try catalog.message("M").sizeClass == size)
    }

    @Test func messagesShareClassesAndClassesAscend() throws {
        let directory = try TemporaryDirectory()
        let catalog = try Catalog(path: directory.path("c.db"))
        _ = try catalog.importContracts(
            yaml: """
                messages:
                  A: { tlv_type: 1100, fields: { d: "[u8; 3000]" } }
                  B: { tlv_type: 1101, fields: { d: u8 } }
                  C: { tlv_type: 1102, fields: { d: "[u8; 100]" } }
                  D: { tlv_type: 1103, fields: { d: "[u8; 4096]" } }
                """, file: "m.yaml")
        #expect(try catalog.sizeClassPlan().classes.map(\.size) == [128, 4096])
    }
}
