import ArgumentParser
import MyceliumBackends
import MyceliumKit

/// `mycelium pools [--json]`: the registered pool backends and when to pick each.
struct PoolsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pools",
        abstract: "List the buffer-pool backends `serve --pool` accepts, with when to pick each."
    )

    @Flag(help: "Print JSON: {\"pools\":[{\"name\",\"description\"}]}.")
    var json = false

    struct Output: Encodable {
        struct Pool: Encodable {
            let name: String
            let description: String
        }

        let pools: [Pool]
    }

    func run() throws {
        let output = Output(pools: PoolRegistry.builtIn.entries.map { Output.Pool(name: $0.name, description: $0.description) })
        if json { return try printJSON(output) }
        var table = TextTable(["POOL", "WHEN TO PICK IT"])
        for pool in output.pools { table.append([pool.name, pool.description]) }
        print(table.render())
    }
}
