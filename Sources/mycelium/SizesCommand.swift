import ArgumentParser
import ContractStore
import MyceliumBackends
import MyceliumKit

/// `mycelium sizes [--json]`: the size-class plan derived from the catalog.
struct SizesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sizes",
        abstract: "Print the buffer-pool size classes derived from the catalog.",
        discussion: """
            Each message falls in the next power of two at or above its max payload (at least \
            128 bytes); a class holds 65,536 / size buffers per region (at least 1). The broker \
            adds two classes of its own to every pool, which carry most of the bytes it moves: \
            its output chunks (64 KiB, 16 per region) and its loops' receive buffers (256 KiB, one \
            per region).
            """
    )

    @OptionGroup var options: CatalogOptions

    @Flag(help: "Print JSON: {\"classes\":[{\"size\",\"capacity\",\"bytes\",\"messages\":[...]}]}.")
    var json = false

    struct Output: Encodable {
        struct Class: Encodable {
            let size: Int
            let capacity: Int
            let bytes: Int
            let messages: [Message]
        }

        struct Message: Encodable {
            let name: String
            let typeID: Int
            let maxSize: Int

            enum CodingKeys: String, CodingKey {
                case name
                case typeID = "type_id"
                case maxSize = "max_size"
            }
        }

        let classes: [Class]
    }

    func run() throws {
        try reportingErrors {
            let (catalog, label) = try options.openForReading()
            let messages = try catalog.messages()
            let output = Output(
                classes: try catalog.sizeClassPlan().classes.map { sizeClass in
                    Output.Class(
                        size: sizeClass.size, capacity: sizeClass.capacity, bytes: sizeClass.regionBytes,
                        messages: messages.filter { $0.sizeClass == sizeClass.size }.map {
                            Output.Message(name: $0.name, typeID: Int($0.typeID), maxSize: $0.maxPayload)
                        })
                })
            if json { return try printJSON(output) }
            guard !output.classes.isEmpty else {
                return print("the catalog \(label) has no messages; import contracts first")
            }
            var table = TextTable(["CLASS", "CAPACITY", "BYTES", "TYPE", "MESSAGE", "SIZE"], rightAligned: [0, 1, 2, 3, 5])
            for sizeClass in output.classes {
                for (index, message) in sizeClass.messages.enumerated() {
                    let head = index == 0 ? ["\(sizeClass.size)", "\(sizeClass.capacity)", "\(sizeClass.bytes)"] : ["", "", ""]
                    table.append(head + ["\(message.typeID)", message.name, "\(message.maxSize)"])
                }
            }
            print(table.render())
            let total = output.classes.reduce(0) { $0 + $1.bytes }
            print("\(output.classes.count) classes, \(total) bytes when every class holds one full region")
            let engine = BrokerConfiguration(messageTypes: try catalog.messageTypes(), pool: .named("arena", in: .builtIn))
                .engineClasses
            print(
                "serve adds its I/O classes: "
                    + engine.map { "\($0.size) bytes × \($0.capacity)" }.joined(separator: ", ")
                    + " per region (output chunks, receive buffers)")
        }
    }
}
