import Foundation
import MyceliumKit

/// Everything one `mycelium bench` produced: where and when it ran, with which settings,
/// and each run's figures. `--json` prints it; `--svg` draws it (``BenchChart``).
struct BenchReport: Encodable, Sendable {
    /// The load every run applied.
    struct Settings: Encodable, Sendable {
        /// Payload bytes per message.
        let size: Int
        let pubs: Int
        let subs: Int
        /// Messages per publisher, or `nil` with a duration.
        let count: Int?
        /// Seconds each run published for, or `nil` with a count.
        let durationS: Double?
        /// Messages per second per publisher, or `nil` for as fast as possible.
        let rate: Double?
        /// The message type's name and id.
        let type: String
        let typeID: UInt16
        /// How many messages publishers may be ahead of the slowest subscriber.
        let windowMessages: Int
        /// Messages each publisher sent in the warm-up run before each measured one (not in
        /// any figure).
        let warmupMessages: Int

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(size, forKey: .size)
            try container.encode(pubs, forKey: .pubs)
            try container.encode(subs, forKey: .subs)
            try container.encode(count, forKey: .count)
            try container.encode(durationS, forKey: .durationS)
            try container.encode(rate, forKey: .rate)
            try container.encode(type, forKey: .type)
            try container.encode(typeID, forKey: .typeID)
            try container.encode(windowMessages, forKey: .windowMessages)
            try container.encode(warmupMessages, forKey: .warmupMessages)
        }

        enum CodingKeys: String, CodingKey {
            case size, pubs, subs, count, durationS, rate, type, typeID, windowMessages, warmupMessages
        }

        /// `1 publisher → 4 subscribers, 128 B, 1,000,000 messages each`.
        var summary: String {
            let limit =
                count.map { "\(grouped(Double($0))) messages each" }
                ?? "for \(durationS.map { String(format: "%g", $0) } ?? "?") s"
            let pace = rate.map { ", \(grouped($0)) msgs/s each (open loop)" } ?? ""
            return "\(pubs) publisher\(pubs == 1 ? "" : "s") → \(subs) subscriber\(subs == 1 ? "" : "s"), "
                + "\(size) B \(type), \(limit)\(pace)"
        }
    }

    /// The mycelium version that ran the bench.
    let version: String
    /// When the bench started, ISO 8601 in UTC.
    let date: String
    let machine: MachineDescription
    let settings: Settings
    let runs: [BenchRun]

    /// Encodes the report as one line of JSON, keys in snake case and sorted.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The report as text: a header, then each run.
    var text: String {
        (["mycelium bench \(version), \(date)", "  \(machine.summary)", "  \(settings.summary)", ""]
            + runs.map { $0.text + "\n" }).joined(separator: "\n")
    }
}
