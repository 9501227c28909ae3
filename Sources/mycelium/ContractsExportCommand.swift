import ArgumentParser
import ContractStore

/// `mycelium contracts export [SET]`: a contract file as it was imported, or the bundled one.
struct ContractsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print a contract set's YAML: the contracts built into mycelium, or a set in the catalog.",
        discussion: """
            Without SET, prints the contracts built into mycelium, the set `serve` starts from \
            (mycelium contracts export > contracts.yaml gives a file to edit and import). With \
            SET, prints the file that set was imported from: SET is its schema id (0x4D594345) or, \
            for a file without one, its file name.
            """
    )

    @OptionGroup var options: CatalogOptions

    @Argument(help: "A set in the catalog (default: the contracts built into mycelium).")
    var set: String?

    func run() throws {
        try reportingErrors {
            guard let set else { return print(BundledContracts.yaml, terminator: "") }
            let text = try options.openForReading().catalog.contractText(ofSet: set)
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }
}
