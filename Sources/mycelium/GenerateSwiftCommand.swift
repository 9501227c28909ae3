import ArgumentParser
import ContractStore
import Foundation

/// `mycelium generate swift [FILE | --catalog DB] --output DIR [--name Contracts] [--access public|internal]`.
struct GenerateSwiftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swift",
        abstract: "Write a Swift struct per message and an enum with the type table and digest.",
        discussion: """
            Reads a contracts YAML file, or the catalog when no file is given. Writes one file \
            per message (Trade.swift) and one for the enum (Contracts.swift) into the output \
            directory, all or nothing, and removes the files an earlier run generated there for \
            messages the contracts no longer have. The output depends only on the contracts and \
            the options.
            """
    )

    @Argument(help: "The contracts YAML file (default: the catalog).")
    var file: String?

    @OptionGroup var options: CatalogOptions

    @Option(help: ArgumentHelp("The directory to write the Swift files into (created if missing).", valueName: "dir"))
    var output: String

    @Option(help: "The name of the enum listing the messages.")
    var name = "Contracts"

    @Option(help: ArgumentHelp("The access level of the generated declarations: public or internal.", valueName: "level"))
    var access = "public"

    func run() throws {
        try reportingErrors(outcome: "nothing was generated") {
            guard let access = SwiftGenerator.Access(rawValue: access) else {
                throw UserError(text: "--access must be public or internal, got '\(access)'")
            }
            let messages: [MessageContract]
            let source: String
            if let file {
                guard options.catalog == nil else {
                    throw UserError(text: "give a contracts file or --catalog, not both")
                }
                let yaml: String
                do {
                    yaml = try String(contentsOfFile: file, encoding: .utf8)
                } catch {
                    throw UserError(text: "cannot read \(file): \(error.localizedDescription); check the path")
                }
                messages = try ContractParser.parse(yaml: yaml, file: file).set.messages
                source = URL(fileURLWithPath: file).lastPathComponent
            } else {
                let (catalog, label) = try options.openForReading()
                messages = try catalog.messages()
                source =
                    catalog.path == ":memory:"
                    ? "the bundled contracts" : "catalog " + URL(fileURLWithPath: label).lastPathComponent
                guard !messages.isEmpty else {
                    throw UserError(text: "the catalog \(label) has no messages; import contracts first")
                }
            }
            let generator = SwiftGenerator(name: name, access: access, source: source)
            let files = try generator.files(for: messages)
            try GeneratedFile.write(files, to: output)
            let removed = try GeneratedFile.removeStale(in: output, keeping: files)
            print(
                "wrote \(files.count) files to \(output): \(messages.count) messages and \(name).swift, "
                    + "digest \(ContractDigest.hex(ContractDigest.digest(of: messages)).prefix(16))")
            if !removed.isEmpty {
                print("removed \(removed.joined(separator: ", ")): generated earlier for messages the contracts no longer have")
            }
        }
    }
}
