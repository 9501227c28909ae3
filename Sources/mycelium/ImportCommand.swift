import ArgumentParser
import ContractStore
import Foundation

/// `mycelium import FILE [--force] [--dry-run]`.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a contracts YAML file into the catalog.",
        discussion: """
            One import is one transaction: a file with any error changes nothing. Re-importing \
            an identical file is a no-op. A removed message or a changed layout needs a raised \
            schema_version (per message) or schema.version (per set), or --force.
            """
    )

    @OptionGroup var options: CatalogOptions

    @Argument(help: "The contracts YAML file.")
    var file: String

    @Flag(help: "Accept removed messages and layout changes without a version increase.")
    var force = false

    @Flag(help: "Validate and report what would change, then write nothing.")
    var dryRun = false

    func run() throws {
        try reportingErrors {
            let yaml: String
            do {
                yaml = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw UserError(text: "cannot read \(file): \(Self.reason(error)); check the path")
            }
            let parsed = try ContractParser.parse(yaml: yaml, file: file)
            // A dry run against a missing catalog works on an empty in-memory one: it creates no file.
            let missing = !FileManager.default.fileExists(atPath: options.path)
            let catalog = try Catalog(path: dryRun && missing ? ":memory:" : options.path)
            let report = try catalog.importContracts(parsed, force: force, dryRun: dryRun)
            for warning in report.warnings { printError(warning.description) }
            print(Self.summary(report, catalog: options.path))
        }
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        if nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadInapplicableStringEncodingError {
            return "not UTF-8 text"
        }
        return nsError.localizedDescription
    }

    static func summary(_ report: ImportReport, catalog: String) -> String {
        let set = report.set
        let digest = ContractDigest.hex(set.digest)
        let prefix = report.dryRun ? "dry run, nothing written: " : ""
        guard report.outcome != .unchanged else {
            return "\(prefix)\(set.source) is unchanged in \(catalog) (\(report.setKey), \(set.messages.count) messages, "
                + "digest \(digest.prefix(16))); nothing to do"
        }
        var lines = [
            "\(prefix)\(report.outcome.rawValue) \(report.setKey) from \(set.source) in \(catalog): "
                + "\(set.messages.count) messages, digest \(digest.prefix(16))"
        ]
        var table = TextTable(["TYPE", "NAME", "DOMAIN", "FIELDS", "BYTES", "CLASS"], rightAligned: [0, 3, 4, 5])
        for message in set.messages.sorted(by: { $0.typeID < $1.typeID }) {
            table.append([
                "\(message.typeID)", message.name, message.domain ?? "-", "\(message.fields.count)", "\(message.maxPayload)",
                "\(message.sizeClass)",
            ])
        }
        lines.append(table.render(indent: "  "))
        let classes = Dictionary(grouping: set.messages, by: \.sizeClass).keys.sorted()
        lines.append("classes: " + classes.map { "\($0)" }.joined(separator: " "))
        if report.outcome == .updated && !report.changes.isEmpty {
            lines.append("changes" + (report.forced ? " (forced)" : "") + ":")
            lines += report.changes.map { "  \($0)" }
        }
        lines.append("catalog digest: \(ContractDigest.hex(report.catalogDigest))")
        return lines.joined(separator: "\n")
    }
}
