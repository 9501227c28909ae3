import Histogram

/// End-to-end latencies of one run, summarised from its HdrHistogram: the percentiles the
/// report prints and the curve the chart draws, in microseconds.
struct LatencySummary: Encodable, Sendable {
    /// One point of the percentile curve: `percentile` (0-100) of the messages arrived
    /// within `us` microseconds.
    struct Point: Encodable, Sendable {
        let percentile: Double
        let us: Double
    }

    let p50: Double
    let p90: Double
    let p99: Double
    /// The 99.9th percentile (`p99_9` in JSON).
    let p999: Double
    /// The 99.99th percentile (`p99_99` in JSON).
    let p9999: Double
    let max: Double
    let mean: Double
    /// Messages the histogram holds.
    let samples: UInt64
    /// The percentile curve from HdrHistogram's percentile iteration (5 ticks per halving
    /// of the remaining distance), up to the largest value.
    let curve: [Point]

    enum CodingKeys: String, CodingKey {
        case p50, p90, p99, max, mean, samples
        case p999 = "p99_9"
        case p9999 = "p99_99"
    }

    /// The largest latency recorded; longer ones count as this (60 s, in nanoseconds).
    static let highestTrackable: UInt64 = 60_000_000_000

    /// An empty histogram of nanoseconds, 1 ns to ``highestTrackable``, 3 significant digits.
    static func makeHistogram() -> Histogram<UInt64> {
        Histogram(lowestDiscernibleValue: 1, highestTrackableValue: highestTrackable, numberOfSignificantValueDigits: .three)
    }

    /// Summarises `histogram` (values in nanoseconds).
    init(_ histogram: Histogram<UInt64>) {
        func microseconds(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / 1000 }
        p50 = microseconds(50)
        p90 = microseconds(90)
        p99 = microseconds(99)
        p999 = microseconds(99.9)
        p9999 = microseconds(99.99)
        max = Double(histogram.max) / 1000
        mean = histogram.totalCount == 0 ? 0 : histogram.mean / 1000
        samples = histogram.totalCount
        var curve: [Point] = []
        if histogram.totalCount > 0 {
            for step in histogram.percentiles(ticksPerHalfDistance: 5) {
                let point = Point(percentile: step.percentileLevelIteratedTo, us: Double(step.value) / 1000)
                if let last = curve.last, last.percentile == point.percentile { continue }
                curve.append(point)
            }
        }
        self.curve = curve
    }
}
