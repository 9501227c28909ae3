import ArgumentParser
import ContractStore
import Foundation

/// `--catalog PATH`, shared by every command that reads or writes the catalog, and how each
/// opens it.
struct CatalogOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The catalog file (default: $MYCELIUM_CATALOG, else ./mycelium.db; without a file there, the contracts built into mycelium).",
            valueName: "path"))
    var catalog: String?

    /// The default path, used when neither the option nor the environment names one.
    static let defaultPath = "./mycelium.db"

    /// The path in effect: the option, else `MYCELIUM_CATALOG`, else `./mycelium.db`.
    var path: String { named?.path ?? Self.defaultPath }

    /// The path the user named, and how: `--catalog` or `MYCELIUM_CATALOG`; `nil` for the
    /// default.
    var named: (path: String, origin: String)? {
        if let catalog { return (catalog, "--catalog") }
        if let fromEnvironment = ProcessInfo.processInfo.environment["MYCELIUM_CATALOG"], !fromEnvironment.isEmpty {
            return (fromEnvironment, "MYCELIUM_CATALOG")
        }
        return nil
    }

    /// Opens the catalog for a command that only reads it: the file at the path; with no file
    /// at the default path, the contracts built into mycelium, in memory (saying so on stderr
    /// when `announcing`, as commands that show the catalog do); with no file at a path the
    /// user named, an error, so that nothing is silently swapped.
    ///
    /// - Returns: the catalog and how messages name it (`./mycelium.db`, or
    ///   `./mycelium.db (not found; using the bundled contracts)`).
    /// - Throws: ``UserError`` for a named path with no file; ``CatalogError`` when the file
    ///   cannot be opened.
    func openForReading(announcing: Bool = true) throws -> (catalog: Catalog, label: String) {
        if FileManager.default.fileExists(atPath: path) {
            return (try Catalog(path: path, createIfMissing: false), path)
        }
        if let named {
            throw UserError(
                text: "no catalog at \(named.path) (from \(named.origin)); create it with "
                    + "mycelium import CONTRACTS.yaml --catalog \(named.path), or leave \(named.origin) out to use "
                    + "\(Self.defaultPath) or the contracts built into mycelium")
        }
        if announcing {
            printError(
                "note: no catalog at \(Self.defaultPath); using the contracts built into mycelium "
                    + "(mycelium contracts export prints them)")
        }
        let catalog = try Catalog(path: ":memory:")
        _ = try catalog.importContracts(yaml: BundledContracts.yaml, file: BundledContracts.fileName)
        return (catalog, "\(Self.defaultPath) (not found; using the bundled contracts)")
    }
}
