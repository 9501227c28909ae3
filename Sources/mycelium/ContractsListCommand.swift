import ArgumentParser
import ContractStore

/// `mycelium contracts list [--json]`.
struct ContractsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the messages in the catalog with their sizes and classes."
    )

    @OptionGroup var options: CatalogOptions

    @Flag(help: "Print JSON: {\"digest\",\"messages\":[{\"name\",\"type_id\",\"domain\",\"max_size\",\"size_class\"}]}.")
    var json = false

    struct Output: Encodable {
        struct Message: Encodable {
            let name: String
            let typeID: Int
            let domain: String?
            let fields: Int
            let maxSize: Int
            let sizeClass: Int

            enum CodingKeys: String, CodingKey {
                case name, domain, fields
                case typeID = "type_id"
                case maxSize = "max_size"
                case sizeClass = "size_class"
            }
        }

        let digest: String
        let messages: [Message]
    }

    func run() throws {
        try reportingErrors {
            let catalog = try options.openForReading().catalog
            let messages = try catalog.messages()
            let output = Output(
                digest: ContractDigest.hex(ContractDigest.digest(of: messages)),
                messages: messages.map {
                    Output.Message(
                        name: $0.name, typeID: Int($0.typeID), domain: $0.domain, fields: $0.fields.count,
                        maxSize: $0.maxPayload, sizeClass: $0.sizeClass)
                })
            if json { return try printJSON(output) }
            var table = TextTable(["TYPE", "NAME", "DOMAIN", "FIELDS", "BYTES", "CLASS"], rightAligned: [0, 3, 4, 5])
            for message in output.messages {
                table.append([
                    "\(message.typeID)", message.name, message.domain ?? "-", "\(message.fields)", "\(message.maxSize)",
                    "\(message.sizeClass)",
                ])
            }
            print(table.render())
            print("\(messages.count) messages, catalog digest \(output.digest)")
        }
    }
}
