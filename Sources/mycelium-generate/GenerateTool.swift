import ContractStore
import Foundation

/// The `MyceliumGenerator` build plugin's tool: `mycelium-generate CONTRACTS.yaml OUTPUT.swift
/// ENUM-NAME` writes the Swift that `mycelium generate swift` writes, as one file.
///
/// Problems go to stderr as `file:line:column: error: ...`, which the build shows at the
/// contract file, and the exit status is 1.
@main
enum GenerateTool {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.count == 3 else {
            fail("usage: mycelium-generate CONTRACTS.yaml OUTPUT.swift ENUM-NAME")
        }
        let (input, output, name) = (arguments[1], arguments[2], arguments[3])
        let yaml: String
        do {
            yaml = try String(contentsOfFile: input, encoding: .utf8)
        } catch {
            fail("\(input):0:0: error: cannot read the contracts file: \(error.localizedDescription)")
        }
        do {
            let messages = try ContractParser.parse(yaml: yaml, file: input).set.messages
            let outputURL = URL(fileURLWithPath: output)
            let generator = SwiftGenerator(name: name, source: URL(fileURLWithPath: input).lastPathComponent)
            let file = try generator.singleFile(named: outputURL.lastPathComponent, for: messages)
            try GeneratedFile.write([file], to: outputURL.deletingLastPathComponent().path)
        } catch let error as ContractError {
            fail((error.warnings + error.errors).map(\.description).joined(separator: "\n"))
        } catch let error as GeneratorError {
            fail(error.problems.map { "\(input):0:0: error: \($0)" }.joined(separator: "\n"))
        } catch {
            fail("\(input):0:0: error: \(error)")
        }
    }

    private static func fail(_ text: String) -> Never {
        FileHandle.standardError.write(Data((text + "\n").utf8))
        exit(1)
    }
}
