package import MyceliumKit

extension MyceliumClient.Options {
    /// The default options with a deadline on every request: a PING, STATS, flush or
    /// subscription the broker never answers (a connection it paused, a peer that stopped)
    /// then fails its test with ``MyceliumClientError/timedOut(request:after:)`` instead of
    /// keeping the whole test process waiting. A deadline for a stuck test, not a measure:
    /// the minute of ``waitUntil(_:timeout:detail:_:)``.
    package static var forTests: Self {
        var options = Self()
        options.requestTimeout = .seconds(60)
        return options
    }
}
