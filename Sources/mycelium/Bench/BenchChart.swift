import Foundation

/// Draws a ``BenchReport`` as a standalone SVG picture: throughput bars per run on the left,
/// latency percentile curves on the right (percentile on a log scale of `1 / (1 - p)`,
/// latency on a log scale), with a title, the machine and date, axis titles with units and
/// a legend, so that the picture reads without the terminal output. Plain text; no
/// dependency. Each run's bar is a `rect class="bar"` and its curve a `polyline
/// class="series"`, both with `data-run` naming the run.
struct BenchChart {
    let report: BenchReport

    private static let width = 1000.0
    private static let height = 480.0
    private static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
    /// The throughput panel's plot area.
    private static let bars = (left: 80.0, right: 330.0, top: 90.0, bottom: 390.0)
    /// The latency panel's plot area.
    private static let curves = (left: 440.0, right: 960.0, top: 90.0, bottom: 390.0)

    /// The SVG document.
    func svg() -> String {
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(Self.width))" height="\(Int(Self.height))" \
            viewBox="0 0 \(Int(Self.width)) \(Int(Self.height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        let transport = report.runs.first.map { $0.address.hasPrefix("unix:") ? "a Unix socket" : "TCP" } ?? ""
        out += text(
            Self.width / 2, 26, "mycelium bench: \(report.settings.summary) over \(transport)", size: 14, anchor: "middle",
            weight: "bold")
        out += text(
            Self.width / 2, 46, "\(report.machine.summary) · \(report.date) · mycelium \(report.version)", size: 11,
            anchor: "middle", fill: "#444")
        out += throughputPanel()
        out += latencyPanel()
        out += text(
            Self.width / 2, Self.height - 14,
            "Throughput: messages delivered to all subscribers per second. Latency: arrival minus each message's intended send time "
                + (report.settings.rate == nil ? "(closed loop: the actual send time)." : "(open loop at the set rate)."),
            size: 11, anchor: "middle", fill: "#444")
        return out + "</svg>\n"
    }

    private func colour(_ index: Int) -> String { Self.colours[index % Self.colours.count] }

    private func throughputPanel() -> String {
        let area = Self.bars
        let largest = max(report.runs.map(\.msgsPerS).max() ?? 0, 1)
        let step = Self.niceStep(largest / 5)
        let top = (largest / step).rounded(.up) * step
        func y(_ value: Double) -> Double { area.bottom - (area.bottom - area.top) * value / top }
        var out = text((area.left + area.right) / 2, area.top - 18, "Throughput", size: 13, anchor: "middle", weight: "bold")
        var tick = 0.0
        while tick <= top + step / 2 {
            out += line(area.left, y(tick), area.right, y(tick), stroke: "#ddd")
            out += text(area.left - 6, y(tick) + 4, Self.short(tick), anchor: "end")
            tick += step
        }
        out += line(area.left, area.top, area.left, area.bottom, stroke: "#000")
        out += line(area.left, area.bottom, area.right, area.bottom, stroke: "#000")
        out += verticalText(area.left - 56, (area.top + area.bottom) / 2, "messages delivered per second")
        let slot = (area.right - area.left) / Double(max(report.runs.count, 1))
        for (index, run) in report.runs.enumerated() {
            let x = area.left + slot * Double(index) + slot * 0.2
            let barTop = y(run.msgsPerS)
            out += """
                <rect class="bar" data-run="\(escape(run.label))" x="\(f(x))" y="\(f(barTop))" width="\(f(slot * 0.6))" \
                height="\(f(area.bottom - barTop))" fill="\(colour(index))"/>

                """
            out += text(x + slot * 0.3, barTop - 6, Self.short(run.msgsPerS), anchor: "middle")
            out += text(x + slot * 0.3, area.bottom + 16, run.label, anchor: "middle")
            out += text(
                x + slot * 0.3, area.bottom + 30, String(format: "%.0f MB/s", run.mbPerS), size: 10, anchor: "middle",
                fill: "#444")
        }
        return out
    }

    private func latencyPanel() -> String {
        let area = Self.curves
        let samples = report.runs.map(\.latencyUs.samples).max() ?? 0
        // Decades of 1 / (1 - p) the samples can resolve: 2 (99%) to 6 (99.9999%).
        let decades = Double(min(6, max(2, Int(log10(Double(max(samples, 1))).rounded(.up)))))
        let values = report.runs.flatMap { $0.latencyUs.curve.map(\.us) }.filter { $0 > 0 }
        let low = (log10(values.min() ?? 1)).rounded(.down)
        let high = max((log10(values.max() ?? 10)).rounded(.up), low + 1)
        func x(_ percentile: Double) -> Double {
            let remaining = 1 - percentile / 100
            let position = remaining <= 0 ? decades : min(decades, -log10(remaining))
            return area.left + (area.right - area.left) * position / decades
        }
        func y(_ microseconds: Double) -> Double {
            let position = (log10(max(microseconds, pow(10, low))) - low) / (high - low)
            return area.bottom - (area.bottom - area.top) * position
        }
        var out = text(
            (area.left + area.right) / 2, area.top - 18, "End-to-end latency by percentile", size: 13, anchor: "middle",
            weight: "bold")
        for decade in 0...Int(decades) {
            let position = area.left + (area.right - area.left) * Double(decade) / decades
            out += line(position, area.top, position, area.bottom, stroke: "#ddd")
            out += text(position, area.bottom + 16, Self.percentLabel(decade), anchor: "middle")
        }
        var exponent = low
        while exponent <= high {
            out += line(area.left, y(pow(10, exponent)), area.right, y(pow(10, exponent)), stroke: "#ddd")
            out += text(area.left - 6, y(pow(10, exponent)) + 4, Self.duration(pow(10, exponent)), anchor: "end")
            exponent += 1
        }
        out += line(area.left, area.top, area.left, area.bottom, stroke: "#000")
        out += line(area.left, area.bottom, area.right, area.bottom, stroke: "#000")
        out += text(
            (area.left + area.right) / 2, area.bottom + 36, "percentile (log scale of 1 / (1 − p); 100% drawn at the right edge)",
            anchor: "middle")
        out += verticalText(area.left - 52, (area.top + area.bottom) / 2, "latency (log scale)")
        for (index, run) in report.runs.enumerated() {
            let points = run.latencyUs.curve.map { "\(f(x($0.percentile))),\(f(y($0.us)))" }.joined(separator: " ")
            out += """
                <polyline class="series" data-run="\(escape(run.label))" points="\(points)" fill="none" \
                stroke="\(colour(index))" stroke-width="2"/>

                """
        }
        // The legend, over the curves on a pale box.
        out += """
            <rect x="\(f(area.left + 6))" y="\(f(area.top + 2))" width="300" height="\(f(Double(report.runs.count) * 18 + 6))" \
            fill="white" fill-opacity="0.85" stroke="#ccc"/>

            """
        for (index, run) in report.runs.enumerated() {
            let legendY = area.top + 18 + Double(index) * 18
            out += line(area.left + 12, legendY - 4, area.left + 36, legendY - 4, stroke: colour(index), width: 3)
            out += text(
                area.left + 42, legendY,
                "\(run.label): p50 \(Self.duration(run.latencyUs.p50)), p99 \(Self.duration(run.latencyUs.p99)), max \(Self.duration(run.latencyUs.max))"
            )
        }
        return out
    }

    // MARK: Pieces

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private func text(
        _ x: Double, _ y: Double, _ content: String, size: Int = 12, anchor: String = "start", weight: String = "normal",
        fill: String = "#000"
    ) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\" fill=\"\(fill)\">\(escape(content))</text>\n"
    }

    private func verticalText(_ x: Double, _ y: Double, _ content: String) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"middle\" transform=\"rotate(-90 \(f(x)) \(f(y)))\">\(escape(content))</text>\n"
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1) -> String {
        "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(f(width))\"/>\n"
    }

    /// 1, 2 or 5 times a power of ten, at least `rough`.
    private static func niceStep(_ rough: Double) -> Double {
        let power = pow(10, log10(max(rough, 1e-9)).rounded(.down))
        for factor in [1.0, 2, 5, 10] where factor * power >= rough { return factor * power }
        return 10 * power
    }

    /// `1.5M`, `250k`, `900`.
    private static func short(_ value: Double) -> String {
        if value >= 1e6 { return String(format: "%gM", (value / 1e5).rounded() / 10) }
        if value >= 1e3 { return String(format: "%gk", (value / 1e2).rounded() / 10) }
        return String(format: "%g", value.rounded())
    }

    /// `0%`, `90%`, `99%`, `99.9%`, ... for `decade` nines.
    private static func percentLabel(_ decade: Int) -> String {
        decade == 0
            ? "0%" : decade == 1 ? "90%" : "99" + (decade > 2 ? "." + String(repeating: "9", count: decade - 2) : "") + "%"
    }

    /// Microseconds as `12 µs`, `1.5 ms`, `2 s`.
    private static func duration(_ microseconds: Double) -> String {
        if microseconds >= 1e6 { return String(format: "%g s", (microseconds / 1e5).rounded() / 10) }
        if microseconds >= 1e3 { return String(format: "%g ms", (microseconds / 1e2).rounded() / 10) }
        return String(format: "%g µs", microseconds < 10 ? (microseconds * 10).rounded() / 10 : microseconds.rounded())
    }
}
