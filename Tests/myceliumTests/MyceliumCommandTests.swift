import Foundation
import MyceliumKit
import Testing

/// The root command, `mycelium`.
@Suite struct MyceliumCommandTests {
    let cli: CLI
    init() throws { cli = try CLI() }

    @Test func versionPrintsTheBuildsVersion() async throws {
        let result = try await cli.run("--version")
        #expect(result.status == 0)
        #expect(result.stdout == MyceliumVersion.current + "\n")
    }
}
