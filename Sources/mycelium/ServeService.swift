import Foundation
import MyceliumKit
import ServiceLifecycle

/// `serve`'s one service: starts the broker, prints where it listens, and serves until the
/// group's graceful shutdown (SIGINT or SIGTERM). It starts inside the group, so the signals
/// are trapped before the `listening` line tells a script it may send them.
struct ServeService: Service {
    let broker: Broker

    func run() async throws {
        let bound = try broker.start()
        var line = "listening"
        for address in bound {
            switch address {
            case .tcp: line += " tcp=\(address)"
            case .unix: line += " unix=\(address)"
            }
        }
        // Straight to the descriptor: scripts wait for this line on a pipe, and by then the
        // broker's start-up log line is out too.
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
        try await broker.run()
    }
}
