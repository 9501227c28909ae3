import ArgumentParser

/// `mycelium generate swift`.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate source code for the message contracts.",
        subcommands: [GenerateSwiftCommand.self]
    )
}
