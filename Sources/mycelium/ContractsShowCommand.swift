import ArgumentParser
import ContractStore

/// `mycelium contracts show NAME|TYPE_ID [--json]`.
struct ContractsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one message: its fields with offsets, sizes and canonical types."
    )

    @OptionGroup var options: CatalogOptions

    @Argument(help: "The message name or type id.")
    var message: String

    @Flag(help: "Print JSON.")
    var json = false

    struct Output: Encodable {
        struct Field: Encodable {
            let ordinal: Int
            let name: String
            let type: String
            let declaredType: String
            let offset: Int
            let size: Int
            let description: String?

            enum CodingKeys: String, CodingKey {
                case ordinal, name, type, offset, size, description
                case declaredType = "declared_type"
            }
        }

        let name: String
        let typeID: Int
        let domain: String?
        let description: String?
        let schemaVersion: String?
        let maxSize: Int
        let sizeClass: Int
        let fields: [Field]

        enum CodingKeys: String, CodingKey {
            case name, domain, description, fields
            case typeID = "type_id"
            case schemaVersion = "schema_version"
            case maxSize = "max_size"
            case sizeClass = "size_class"
        }
    }

    func run() throws {
        try reportingErrors {
            let found = try options.openForReading().catalog.message(message)
            let output = Output(
                name: found.name, typeID: Int(found.typeID), domain: found.domain, description: found.summary,
                schemaVersion: found.schemaVersion, maxSize: found.maxPayload, sizeClass: found.sizeClass,
                fields: found.fields.map {
                    Output.Field(
                        ordinal: $0.ordinal, name: $0.name, type: $0.type.canonicalName, declaredType: $0.declaredType,
                        offset: $0.offset, size: $0.size, description: $0.summary)
                })
            if json { return try printJSON(output) }
            var header = "\(found.name) (type \(found.typeID)"
            if let domain = found.domain { header += ", \(domain)" }
            if let version = found.schemaVersion { header += ", schema_version \(version)" }
            print(header + "): \(found.maxPayload) bytes, class \(found.sizeClass)")
            if let summary = found.summary { print(summary) }
            var table = TextTable(["#", "FIELD", "TYPE", "DECLARED", "OFFSET", "SIZE"], rightAligned: [0, 4, 5])
            for field in output.fields {
                table.append([
                    "\(field.ordinal)", field.name, field.type, field.declaredType == field.type ? "" : field.declaredType,
                    "\(field.offset)", "\(field.size)",
                ])
            }
            print(table.render())
        }
    }
}
