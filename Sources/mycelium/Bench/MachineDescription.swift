import Foundation

/// The machine a bench ran on, so that its figures and its chart say where they come from.
struct MachineDescription: Encodable, Sendable {
    /// The host name.
    let host: String
    /// Online CPUs.
    let cpus: Int
    /// The CPU's model name from `/proc/cpuinfo`, or empty.
    let cpuModel: String
    /// The 1, 5 and 15-minute load averages when the bench started.
    let loadAverage: [Double]
    /// The kernel release (`uname -r`).
    let kernel: String

    /// The machine running this process, now.
    static func current() -> MachineDescription {
        var loads = [Double](repeating: 0, count: 3)
        let read = getloadavg(&loads, 3)
        var names = utsname()
        uname(&names)
        let kernel = withUnsafeBytes(of: &names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuInfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return MachineDescription(
            host: ProcessInfo.processInfo.hostName, cpus: ProcessInfo.processInfo.activeProcessorCount, cpuModel: model,
            loadAverage: read == 3 ? loads.map { ($0 * 100).rounded() / 100 } : [], kernel: kernel)
    }

    /// One line: `host, 2 CPUs (model), Linux 6.1, load average 1.20 0.90 0.80`.
    var summary: String {
        let model = cpuModel.isEmpty ? "" : " (\(cpuModel))"
        let load = loadAverage.map { String(format: "%.2f", $0) }.joined(separator: " ")
        return "\(host), \(cpus) CPUs\(model), Linux \(kernel), load average \(load)"
    }
}
