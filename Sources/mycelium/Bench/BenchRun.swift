import Foundation
import MyceliumKit

/// The figures of one run against one broker, as `bench` prints them and `--json` writes
/// them (keys in snake case; see `mycelium bench --help`).
struct BenchRun: Encodable, Sendable {
    /// The broker's CPU time over the run, where it could be read.
    struct BrokerCPUFigures: Encodable, Sendable {
        /// What was measured (``BrokerCPU/description``), or why nothing was.
        let measured: String
        /// CPU seconds the broker used during the run; `nil` when not measured.
        let seconds: Double?
        /// ``seconds`` per delivered message, in nanoseconds; `nil` when not measured.
        let nsPerMessage: Double?

        /// `nanoseconds` of `source`'s CPU time over a run that delivered `delivered` messages.
        init(_ source: BrokerCPU, nanoseconds: UInt64, delivered: Int) {
            measured = source.description
            seconds = Double(nanoseconds) / 1e9
            nsPerMessage = delivered == 0 ? nil : Double(nanoseconds) / Double(delivered)
        }

        /// No figures, for `reason`.
        init(notMeasured reason: String) {
            measured = "not measured: \(reason)"
            seconds = nil
            nsPerMessage = nil
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(measured, forKey: .measured)
            try container.encode(seconds, forKey: .seconds)
            try container.encode(nsPerMessage, forKey: .nsPerMessage)
        }

        enum CodingKeys: String, CodingKey { case measured, seconds, nsPerMessage }
    }

    /// How the broker's pool did during the run: STATS after minus STATS before.
    struct PoolFigures: Encodable, Sendable {
        /// The pool backend's name.
        let name: String
        let acquires: Int
        let hits: Int
        let allocations: Int
        let misses: Int
        /// `hits / acquires` (1 when nothing was acquired).
        let hitRate: Double

        /// The difference between two STATS documents of one broker.
        init(before: PoolStats, after: PoolStats) {
            name = after.name
            acquires = after.acquires - before.acquires
            hits = after.hits - before.hits
            allocations = after.allocations - before.allocations
            misses = after.misses - before.misses
            hitRate = acquires == 0 ? 1 : Double(hits) / Double(acquires)
        }
    }

    /// The pool's name for an embedded broker, else the broker's address.
    let label: String
    /// `unix:PATH` or `tcp:HOST:PORT`.
    let address: String
    /// Whether this bench started the broker itself.
    let embedded: Bool
    let messagesSent: Int
    let messagesDelivered: Int
    let seconds: Double
    /// Messages delivered to all subscribers per second.
    let msgsPerS: Double
    /// Payload bytes delivered per second, in 10^6 bytes.
    let mbPerS: Double
    let latencyUs: LatencySummary
    let brokerCPU: BrokerCPUFigures
    let pool: PoolFigures

    /// A run's figures from its outcome, payload size and the broker's readings; `label`
    /// `nil` takes the address.
    init(
        label: String?, address: SocketAddress, embedded: Bool, outcome: BenchLoad.Outcome, size: Int,
        brokerCPU: BrokerCPUFigures, pool: PoolFigures
    ) {
        switch address {
        case .unix(let path): self.address = "unix:\(path)"
        case .tcp: self.address = "tcp:\(address)"
        }
        self.label = label ?? self.address
        self.embedded = embedded
        messagesSent = outcome.sent
        messagesDelivered = outcome.delivered
        seconds = outcome.seconds
        let perSecond = outcome.seconds > 0 ? Double(outcome.delivered) / outcome.seconds : 0
        msgsPerS = perSecond
        mbPerS = perSecond * Double(size) / 1e6
        latencyUs = LatencySummary(outcome.latencies)
        self.brokerCPU = brokerCPU
        self.pool = pool
    }

    /// The run as a few lines of text.
    var text: String {
        let latency = latencyUs
        func us(_ value: Double) -> String { value < 100 ? String(format: "%.1f", value) : String(format: "%.0f", value) }
        var lines = [
            "\(label)  (\(address))",
            String(
                format: "  throughput  %@ msgs/s  %.1f MB/s  (%@ delivered in %.2f s, %@ sent)", grouped(msgsPerS), mbPerS,
                grouped(Double(messagesDelivered)), seconds, grouped(Double(messagesSent))),
            "  latency µs  p50 \(us(latency.p50))  p90 \(us(latency.p90))  p99 \(us(latency.p99))  p99.9 \(us(latency.p999))  "
                + "p99.99 \(us(latency.p9999))  max \(us(latency.max))",
        ]
        if let nanoseconds = brokerCPU.nsPerMessage, let seconds = brokerCPU.seconds {
            lines.append(
                String(
                    format: "  broker CPU  %.0f ns per delivered message (%.2f s of CPU: %@)", nanoseconds, seconds,
                    brokerCPU.measured))
        } else {
            lines.append("  broker CPU  \(brokerCPU.measured)")
        }
        lines.append(
            String(
                format: "  pool        %@: hit rate %.2f%%, %@ acquires, %@ allocations, %@ misses", pool.name,
                pool.hitRate * 100,
                grouped(Double(pool.acquires)), grouped(Double(pool.allocations)), grouped(Double(pool.misses))))
        return lines.joined(separator: "\n")
    }
}

/// `1234567.8` as `1,234,568`.
func grouped(_ value: Double) -> String {
    let digits = String(Int(value.rounded()))
    var result = ""
    for (index, digit) in digits.reversed().enumerated() {
        if index > 0 && index % 3 == 0 && digit != "-" { result.append(",") }
        result.append(digit)
    }
    return String(result.reversed())
}
