import ArgumentParser
import Foundation
import MyceliumKit

/// `mycelium stats`: asks a running broker for its STATS document.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print a running broker's pool and message counters.",
        discussion: """
            Sends STATS_REQUEST to the broker (default --tcp 127.0.0.1:7800) and prints its answer; \
            a broker run with --auth needs the token (--token or MYCELIUM_TOKEN).
            """
    )

    @OptionGroup var endpoint: EndpointOptions

    @Flag(help: "Print the STATS JSON document as the broker sent it.")
    var json = false

    func run() async throws {
        try await reportingAsyncErrors {
            let client = try await endpoint.connect(digest: nil, peerName: "mycelium stats")
            let stats: BrokerStats
            do {
                stats = try await client.stats()
            } catch {
                try? await client.close()
                throw error
            }
            try await client.close()
            json ? print(stats.jsonDocument()) : printTable(stats)
        }
    }

    private func printTable(_ stats: BrokerStats) {
        let pool = stats.pool
        print(
            "connections \(stats.connections)  messages in \(stats.messagesIn)  out \(stats.messagesOut)  slow consumers \(stats.slowConsumers)  dropped \(stats.dropped)  auth refusals \(stats.authRefusals)"
        )
        if let uplink = stats.uplink {
            print(
                "uplink \(uplink.state)\(uplink.server.isEmpty ? "" : " \(uplink.server)")  messages out \(uplink.messagesOut)  in \(uplink.messagesIn)  dropped \(uplink.dropped)  rejected \(uplink.rejected)  reconnects \(uplink.reconnects)  unwanted \(uplink.unwanted)"
            )
        }
        print(
            "pool \(pool.name)  in use \(pool.inUse)  acquires \(pool.acquires)  \(pool.hitRateText)  reserved \(pool.bytesReserved) bytes"
        )
        let columns: [(title: String, value: KeyPath<PoolClassStats, Int>)] = [
            ("SIZE", \.size), ("CAPACITY", \.capacity), ("IN_USE", \.inUse), ("HIGH_WATER", \.highWater),
            ("ACQUIRES", \.acquires), ("HITS", \.hits), ("ALLOCATIONS", \.allocations), ("MISSES", \.misses),
            ("BYTES_RESERVED", \.bytesReserved),
        ]
        var table = TextTable(columns.map(\.title), rightAligned: Set(columns.indices))
        for entry in pool.reportedClasses {
            table.append(columns.map { "\(entry[keyPath: $0.value])" })
        }
        print(table.render())
    }
}
