import Foundation
import Testing

@Suite struct SizesCommandTests {
    let cli: CLI
    init() throws { cli = try CLI() }

    @Test func sizesPrintsEachClassWithItsMessages() async throws {
        #expect(try await cli.run("import", CLI.bundledContracts).status == 0)
        let result = try await cli.run("sizes")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "CLASS  CAPACITY  BYTES  TYPE  MESSAGE            SIZE")
        #expect(lines[1] == "  128       512  65536  1101  Trade                29")
        #expect(lines.contains(" 1024        64  65536  1001  BenchFrame         1024"))
        #expect(lines.contains(" 8192         8  65536  2002  MapChunk           4108"))
        #expect(
            lines.suffix(2) == [
                "5 classes, 327680 bytes when every class holds one full region",
                "serve adds its I/O classes: 65536 bytes × 16, 262144 bytes × 1 per region (output chunks, receive buffers)",
            ])
    }

    @Test func sizesJSONHasTheDocumentedShape() async throws {
        #expect(try await cli.run("import", CLI.bundledContracts).status == 0)
        let json = try CLI.json(try await cli.run("sizes", "--json").stdout)
        let classes = try #require(json["classes"] as? [[String: Any]])
        #expect(classes.compactMap { $0["size"] as? Int } == [128, 256, 512, 1024, 8192])
        #expect(classes.compactMap { $0["capacity"] as? Int } == [512, 256, 128, 64, 8])
        #expect(classes.compactMap { $0["bytes"] as? Int } == [65536, 65536, 65536, 65536, 65536])
        let bench = try #require((classes[3]["messages"] as? [[String: Any]])?.first)
        #expect(bench["name"] as? String == "BenchFrame")
        #expect(bench["type_id"] as? Int == 1001)
        #expect(bench["max_size"] as? Int == 1024)
    }

    @Test func classesAbove64KiBGetCapacityOne() async throws {
        let file = try cli.write(
            "big.yaml",
            """
            messages:
              Small: { tlv_type: 1100, fields: { d: "[u8; 128]" } }
              Edge: { tlv_type: 1101, fields: { d: "[u8; 129]" } }
              Big: { tlv_type: 1102, fields: { d: "[u8; 70000]" } }
            """)
        #expect(try await cli.run("import", file).status == 0)
        let json = try CLI.json(try await cli.run("sizes", "--json").stdout)
        let classes = try #require(json["classes"] as? [[String: Any]])
        #expect(classes.compactMap { $0["size"] as? Int } == [128, 256, 131_072])
        #expect(classes.compactMap { $0["capacity"] as? Int } == [512, 256, 1])
    }

    @Test func newerCatalogIsRefused() async throws {
        #expect(try await cli.run("import", CLI.bundledContracts).status == 0)
        // PRAGMA user_version lives in the SQLite header: 4 bytes, big-endian, at offset 60.
        let file = try FileHandle(forUpdating: URL(fileURLWithPath: cli.path("mycelium.db")))
        try file.seek(toOffset: 60)
        try file.write(contentsOf: Data([0, 0, 0, 42]))
        try file.close()
        let result = try await cli.run("sizes")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: catalog ./mycelium.db: was written by a newer Mycelium (catalog format 42;"))
    }
}
