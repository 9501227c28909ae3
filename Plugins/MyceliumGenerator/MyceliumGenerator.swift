import Foundation
import PackagePlugin

/// Generates Swift message types at build time for every `*.contracts.yaml` file in a
/// target, as `mycelium generate swift` would: `market.contracts.yaml` becomes
/// `MarketContracts.swift` in the plugin's work directory, with the structs and an enum
/// `MarketContracts` (type table, digest, message types), all `public`.
///
/// ```swift
/// .target(
///     name: "Pricing",
///     dependencies: [.product(name: "MyceliumKit", package: "mycelium")],
///     plugins: [.plugin(name: "MyceliumGenerator", package: "mycelium")]
/// )
/// ```
@main
struct MyceliumGenerator: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        guard let module = target.sourceModule else { return [] }
        let tool = try context.tool(named: "mycelium-generate")
        return module.sourceFiles(withSuffix: ".contracts.yaml").map { file in
            let name = Self.enumName(forFile: file.url.lastPathComponent)
            let output = context.pluginWorkDirectoryURL.appendingPathComponent("\(name).swift")
            return .buildCommand(
                displayName: "Generating \(name).swift from \(file.url.lastPathComponent)",
                executable: tool.url,
                arguments: [file.url.path, output.path, name],
                inputFiles: [file.url],
                outputFiles: [output])
        }
    }

    /// `market-data.contracts.yaml` → `MarketDataContracts`.
    static func enumName(forFile fileName: String) -> String {
        let stem = fileName.dropLast(".contracts.yaml".count)
        let words = stem.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        return words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Contracts"
    }
}
