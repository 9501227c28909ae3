import ArgumentParser

/// `mycelium contracts list|show|export`.
struct ContractsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contracts",
        abstract: "Show the message contracts in the catalog.",
        subcommands: [ContractsListCommand.self, ContractsShowCommand.self, ContractsExportCommand.self]
    )
}
