import ContractStore

extension CatalogError {
    /// The error as the CLI prints it: each problem followed by what to do on the command
    /// line (the flag or command to use), which the library leaves to its callers.
    var withCommandLineAdvice: String {
        let advice =
            switch code {
            case .missing: ": mycelium import CONTRACTS.yaml (mycelium contracts export prints the bundled set to start from)"
            case .notACatalog: "; pass another --catalog path"
            case .readOnly: " or pass another --catalog path"
            case .newerFormat: " or pass another --catalog"
            case .unknownMessage: " (mycelium contracts list)"
            case .unknownSet: " (each set's schema id or file name)"
            case .breakingChange: " or pass --force"
            default: ""
            }
        return CatalogError(code, path: path, problems: problems.map { $0 + advice }).description
    }
}
