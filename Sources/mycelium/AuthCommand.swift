import ArgumentParser

/// `mycelium auth hash`.
struct AuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Make the token hashes of a broker's auth file (serve --auth FILE).",
        subcommands: [AuthHashCommand.self]
    )
}
