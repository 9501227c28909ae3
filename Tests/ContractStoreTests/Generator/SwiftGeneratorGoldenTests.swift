import ContractStore
import Foundation
import MyceliumCore
import Testing

@Suite struct SwiftGeneratorGoldenTests {
    @Test func outputIsTheCommittedGoldenFiles() throws {
        let files = try GeneratedCode.generator.files(for: GeneratedCode.messages())
        #expect(files.map(\.name) == ["Scalars.swift", "Aliases.swift", "Vectors.swift", "EveryType.swift"])
        let committed = try FileManager.default.contentsOfDirectory(atPath: GeneratedCode.directory.path).sorted()
        #expect(committed == files.map(\.name).sorted())
        for file in files {
            let golden = try String(
                contentsOf: GeneratedCode.directory.appendingPathComponent(file.name), encoding: .utf8)
            #expect(file.contents == golden, "\(file.name) differs from its golden file; regenerate it (see every-type.yaml)")
        }
    }

    @Test func sameInputGivesTheSameBytesInAnyMessageOrder() throws {
        let messages = try GeneratedCode.messages()
        let first = try GeneratedCode.generator.files(for: messages)
        let reversed = try GeneratedCode.generator.files(for: messages.reversed())
        #expect(first == reversed)
    }

    @Test func singleFileHoldsEveryDeclarationUnderOneHeader() throws {
        let file = try GeneratedCode.generator.singleFile(named: "EveryType.swift", for: GeneratedCode.messages())
        #expect(file.contents.components(separatedBy: "import MyceliumCore").count == 2)
        for name in ["struct Scalars:", "struct Aliases:", "struct Vectors:", "enum EveryType {"] {
            #expect(file.contents.contains("\n\(name)"))
        }
    }

    @Test func publicAccessMarksEveryDeclarationAndImportsPublicly() throws {
        let generator = SwiftGenerator(name: "EveryType", access: .public, source: "every-type.yaml")
        let file = try generator.singleFile(named: "EveryType.swift", for: GeneratedCode.messages())
        #expect(file.contents.contains("\npublic import MyceliumCore\n"))
        #expect(file.contents.contains("\npublic struct Scalars: MyceliumMessage, Hashable, Codable {\n"))
        #expect(file.contents.contains("    public var orderID: UInt64\n"))
        // Inlinable, so that a caller in another module reads and writes the fields in place.
        #expect(file.contents.contains("    @inlinable\n    public init(payload: UnsafeRawBufferPointer) throws {\n"))
        #expect(file.contents.contains("    @inlinable\n    public func encode(into payload: UnsafeMutableRawBufferPointer) {\n"))
        #expect(file.contents.contains("    public static let digest: [UInt8] = [\n"))
    }

    @Test func digestIsTheContractSetsDigest() throws {
        let digest = try ContractParser.parse(yaml: Fixture.text("every-type.yaml"), file: "every-type.yaml").set.digest
        #expect(EveryType.digest == digest)
        #expect(EveryType.messages.map { $0.typeID } == [4001, 4002, 4003])
        #expect(EveryType.messageTypes[4003]?.maxPayload == Vectors.payloadSize)
    }
}
