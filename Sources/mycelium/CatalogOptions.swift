import ArgumentParser
import Foundation

/// `--catalog PATH`, shared by every command that reads or writes the catalog.
struct CatalogOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The catalog file (default: $MYCELIUM_CATALOG, else ./mycelium.db).", valueName: "path"))
    var catalog: String?

    /// The path in effect: the option, else `MYCELIUM_CATALOG`, else `./mycelium.db`.
    var path: String {
        if let catalog { return catalog }
        if let fromEnvironment = ProcessInfo.processInfo.environment["MYCELIUM_CATALOG"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "./mycelium.db"
    }
}
