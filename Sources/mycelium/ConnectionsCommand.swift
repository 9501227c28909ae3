import ArgumentParser
import Foundation
import MyceliumKit

/// `mycelium connections`: a running broker's open connections, one line each (CONNECTIONS).
struct ConnectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connections",
        abstract: "List a running broker's connections: who, how long, what, how far behind.",
        discussion: """
            Sends CONNECTIONS_REQUEST to the broker (default --tcp 127.0.0.1:7800) and prints one line per \
            connection: id, HELLO name, peer, transport, age, idle time, subscribed types, messages and bytes \
            in and out, pending bytes, dropped frames (this command's own connection among them).
            """
    )

    /// What `--sort` orders by, largest first.
    enum SortKey: String, ExpressibleByArgument, CaseIterable {
        case pending
        case msgsOut = "msgs_out"
        case msgsIn = "msgs_in"
        case idle
        case age

        func value(_ connection: BrokerConnections.Connection) -> Double {
            switch self {
            case .pending: Double(connection.pendingBytes)
            case .msgsOut: Double(connection.messagesOut)
            case .msgsIn: Double(connection.messagesIn)
            case .idle: connection.idleSeconds
            case .age: connection.ageSeconds
            }
        }
    }

    @OptionGroup var endpoint: EndpointOptions

    @Flag(help: "Print the listing as JSON (the CONNECTIONS document, after --sort and --limit).")
    var json = false

    @Option(help: "Order by pending, msgs_out, msgs_in, idle or age, largest first (default: by id).")
    var sort: SortKey?

    @Option(help: "Show at most this many connections.")
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, not \(limit)") }
    }

    func run() async throws {
        try await reportingAsyncErrors {
            let client = try await endpoint.connect(digest: nil, peerName: "mycelium connections")
            var listing: BrokerConnections
            do {
                listing = try await client.connections()
            } catch {
                try? await client.close()
                throw error
            }
            try await client.close()
            if let sort {
                // Stable: equal values keep their order by id.
                listing.connections = listing.connections.enumerated()
                    .sorted { (sort.value($0.element), -$0.offset) > (sort.value($1.element), -$1.offset) }
                    .map(\.element)
            }
            if let limit { listing.connections = Array(listing.connections.prefix(limit)) }
            if json { return try printJSON(listing) }
            print(Self.table(listing).render())
        }
    }

    static func table(_ listing: BrokerConnections) -> TextTable {
        let header = [
            "ID", "NAME", "PEER", "TRANSPORT", "AGE", "IDLE", "SUBSCRIPTIONS", "MSGS_IN", "BYTES_IN", "MSGS_OUT",
            "BYTES_OUT", "PENDING", "DROPPED",
        ]
        var table = TextTable(header, rightAligned: [0, 4, 5, 7, 8, 9, 10, 11, 12])
        for entry in listing.connections {
            table.append([
                "\(entry.id)", entry.name ?? "-", entry.peer, entry.transport, duration(entry.ageSeconds),
                duration(entry.idleSeconds),
                entry.subscriptions.isEmpty ? "-" : entry.subscriptions.map(String.init).joined(separator: ","),
                "\(entry.messagesIn)", "\(entry.bytesIn)", "\(entry.messagesOut)", "\(entry.bytesOut)",
                "\(entry.pendingBytes)", "\(entry.dropped)",
            ])
        }
        return table
    }

    /// `850ms`, `12.3s`, `4m05s`, `2h03m`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int(seconds * 1000))ms" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds)
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        return String(format: "%dh%02dm", whole / 3600, whole / 60 % 60)
    }
}
