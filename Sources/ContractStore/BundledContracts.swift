/// The contract set compiled into the binary: `contracts/contracts.yaml` at build time.
/// `mycelium serve` creates a catalog from it when none exists.
public enum BundledContracts {
    /// The file name the bundled set reports in errors and import history.
    public static let fileName = "contracts.yaml (bundled)"
    /// The YAML text.
    public static var yaml: String { String(decoding: PackageResources.contracts_yaml, as: UTF8.self) }
}
