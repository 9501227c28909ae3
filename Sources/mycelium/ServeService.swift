import Foundation
import Logging
import MyceliumKit
import ServiceLifecycle

/// `serve`'s one service: starts the broker (and the metrics endpoint when asked), prints
/// where it listens, and serves until the group's graceful shutdown (SIGINT or SIGTERM). It
/// starts inside the group, so the signals are trapped before the `listening` line tells a
/// script it may send them.
struct ServeService: Service {
    let broker: Broker
    /// Where to serve `GET /metrics`, if anywhere.
    let metrics: SocketAddress?
    let logger: Logger

    func run() async throws {
        let bound = try broker.start()
        var line = "listening"
        for address in bound {
            switch address {
            case .tcp: line += " tcp=\(address)"
            case .unix: line += " unix=\(address)"
            }
        }
        var endpoint: MetricsEndpoint?
        if case .tcp(let host, let port) = metrics {
            do {
                endpoint = try MetricsEndpoint(host: host, port: port, logger: logger) { [broker] in
                    PrometheusExposition.scrape(broker)
                }
            } catch {
                _ = await broker.stop()
                throw UserError(text: "--metrics: \(error)")
            }
            line += " metrics=\(endpoint?.address.description ?? "")"
        }
        defer { endpoint?.stop() }
        // Straight to the descriptor: scripts wait for this line on a pipe, and by then the
        // broker's start-up log line is out too.
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
        try await broker.run()
    }
}
