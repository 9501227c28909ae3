import ArgumentParser
import Foundation
import MyceliumKit

/// `mycelium stats`: asks a running broker for its STATS document.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print a running broker's pool and message counters.",
        discussion: "Sends STATS_REQUEST to the broker (default --tcp 127.0.0.1:7800) and prints its answer."
    )

    @Option(help: ArgumentHelp("The broker's TCP address. Default: 127.0.0.1:7800.", valueName: "host:port"))
    var tcp: String?

    @Option(help: ArgumentHelp("The broker's Unix socket.", valueName: "path"))
    var unix: String?

    @Flag(help: "Print the STATS JSON document as the broker sent it.")
    var json = false

    func validate() throws {
        if tcp != nil && unix != nil { throw ValidationError("give --tcp or --unix, not both") }
    }

    func run() async throws {
        try await reportingAsyncErrors {
            let address =
                try unix.map { ListenerAddress.unix(path: $0) } ?? tcp.map(ListenerOptions.parseTCP)
                ?? ListenerOptions.defaultTCP
            let document = try BrokerSocket(address).document(for: .statsRequest)
            return json ? print(document) : try printTable(document)
        }
    }

    private func printTable(_ document: String) throws {
        guard let root = try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any],
            let pool = root["pool"] as? [String: Any]
        else {
            throw UserError(text: "the broker's STATS document is not the expected JSON object: \(document)")
        }
        func number(_ object: [String: Any], _ key: String) -> String {
            (object[key] as? NSNumber).map { "\($0)" } ?? "-"
        }
        let rate = ((pool["hit_rate"] as? Double) ?? 1) * 100
        print(
            "connections \(number(root, "connections"))  messages in \(number(root, "messages_in"))  out \(number(root, "messages_out"))  slow consumers \(number(root, "slow_consumers"))  dropped \(number(root, "dropped"))"
        )
        print(
            "pool \(pool["name"] as? String ?? "?")  in use \(number(pool, "in_use"))  acquires \(number(pool, "acquires"))  hit rate \(String(format: "%.2f", rate))%  reserved \(number(pool, "bytes_reserved")) bytes"
        )
        let columns = ["size", "capacity", "in_use", "high_water", "acquires", "hits", "allocations", "misses", "bytes_reserved"]
        var table = TextTable(columns.map { $0.uppercased() }, rightAligned: Set(columns.indices))
        for entry in pool["classes"] as? [[String: Any]] ?? [] {
            table.append(columns.map { number(entry, $0) })
        }
        print(table.render())
    }
}
