import Foundation

/// Where a bench reads the broker's CPU time: the loop threads of a broker embedded in this
/// process (named `mycelium-loop-N`), or every thread of a local broker process. Read from
/// `/proc/…/task/TID/schedstat` (time on CPU, in nanoseconds).
enum BrokerCPU: Sendable {
    /// The threads of this process whose name starts with `mycelium-loop-`.
    case embeddedLoops
    /// Every thread of process `pid`.
    case process(Int32)

    /// What was measured, for the report.
    var description: String {
        switch self {
        case .embeddedLoops: "the embedded broker's loop threads"
        case .process(let pid): "broker process \(pid), all threads"
        }
    }

    /// CPU time used so far, in nanoseconds; `nil` when `/proc` cannot be read (no such
    /// process, or no schedstat).
    func nanoseconds() -> UInt64? {
        let directory: String
        switch self {
        case .embeddedLoops: directory = "/proc/self/task"
        case .process(let pid): directory = "/proc/\(pid)/task"
        }
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        var total: UInt64 = 0
        var found = false
        for task in tasks {
            if case .embeddedLoops = self {
                guard let name = try? String(contentsOfFile: "\(directory)/\(task)/comm", encoding: .utf8),
                    name.hasPrefix("mycelium-loop-")
                else { continue }
            }
            // A thread may end between the listing and the read: it is skipped.
            guard let text = try? String(contentsOfFile: "\(directory)/\(task)/schedstat", encoding: .utf8),
                let field = text.split(separator: " ").first, let onCPU = UInt64(field)
            else { continue }
            total += onCPU
            found = true
        }
        return found ? total : nil
    }
}
