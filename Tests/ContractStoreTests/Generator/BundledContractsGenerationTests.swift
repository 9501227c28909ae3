import ContractStore
import Foundation
import MyceliumContracts
import MyceliumCore
import Testing

/// `Sources/MyceliumContracts` is the generator's output for the bundled contracts, committed.
@Suite struct BundledContractsGenerationTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/MyceliumContracts")

    @Test func regeneratingTheBundledContractsGivesTheCommittedBytes() throws {
        let messages = try ContractParser.parse(yaml: BundledContracts.yaml, file: "contracts.yaml").set.messages
        let files = try SwiftGenerator(source: "contracts.yaml").files(for: messages)
        let committed = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).sorted()
        #expect(committed == files.map(\.name).sorted())
        for file in files {
            let text = try String(contentsOf: Self.directory.appendingPathComponent(file.name), encoding: .utf8)
            #expect(
                text == file.contents,
                "Sources/MyceliumContracts/\(file.name) is stale: mycelium generate swift contracts/contracts.yaml --output Sources/MyceliumContracts"
            )
        }
    }

    @Test func theEnumDescribesTheBundledCatalog() throws {
        let catalog = try Catalog(path: ":memory:").importedBundled()
        #expect(Contracts.digest == (try catalog.digest()))
        #expect(Contracts.messageTypes.entries == (try catalog.messageTypes().entries))
        #expect(Contracts.messages.map { $0.messageName } == (try catalog.messages().map(\.name)))
    }

    @Test func poolStateUpdateJSONIsWhatSubscribePrints() throws {
        let update = PoolStateUpdate(
            poolAddress: Address(hex: "0x8ad599c3a0ff1de082011efddc58f1908eb6e6d8")!, reserve0: .max,
            reserve1: UInt256("0x1234567890abcdef1234567890abcdef")!, liquidity: .max, tick: -887_272,
            blockNumber: 19_000_000, symbol: "WETH/USDC", path: FixedArray([Address(bytes: [UInt8](repeating: 7, count: 20))!])!)
        let codec = MessageCodec(try Catalog(path: ":memory:").importedBundled().message("PoolStateUpdate"))
        let payload = GeneratedCode.payload(of: update)
        let printed = try codec.decode(payload)
        let typed = try JSONValue(parsing: String(decoding: try JSONEncoder().encode(update), as: UTF8.self))
        #expect(GeneratedCode.normalized(typed) == GeneratedCode.normalized(printed))
        #expect(try JSONDecoder().decode(PoolStateUpdate.self, from: Data(printed.text.utf8)) == update)
        #expect(try GeneratedCode.decode(payload, as: PoolStateUpdate.self) == update)
    }
}

extension Catalog {
    /// The catalog with the bundled contracts imported.
    fileprivate func importedBundled() throws -> Catalog {
        _ = try importContracts(yaml: BundledContracts.yaml, file: BundledContracts.fileName)
        return self
    }
}
