import Testing

@testable import MyceliumKit

/// Every transition of the lifecycle state machine, with strings for resources and numbers
/// for waiters, so that each interleaving is written out instead of raced.
@Suite struct BrokerLifecycleTests {
    typealias Lifecycle = BrokerLifecycle<String, Int>

    /// A real summary, from a broker that never bound.
    private static func summary() async throws -> BrokerSummary {
        let broker = try Broker(configuration: .forTests(listeners: []))
        return await broker.stop()
    }

    /// The waiters resumed and what each was told, as text: `1:stop(loops)`, `2:stopped`.
    private static func describe(_ resumptions: [Lifecycle.Resumption]) -> [String] {
        resumptions.map { waiter, turn in
            switch turn {
            case .stop(let resources): "\(waiter):stop(\(resources ?? "nil"))"
            case .stopped: "\(waiter):stopped"
            case .shutdownRequested: "\(waiter):shutdown"
            }
        }
    }

    @Test func startRunStopInOrder() async throws {
        var lifecycle = Lifecycle()
        #expect(lifecycle.claimStart() == .claimed)
        #expect(lifecycle.claimStart() == .unavailable, "a second start while binding")
        #expect(lifecycle.startSucceeded("loops").isEmpty)
        #expect(lifecycle.claimStart() == .alreadyRunning)
        #expect(Self.describe(lifecycle.stop(1)) == ["1:stop(loops)"])
        #expect(lifecycle.claimStart() == .unavailable, "a start while stopping")
        #expect(lifecycle.stop(2).isEmpty, "a concurrent stop waits")
        #expect(lifecycle.stop(3).isEmpty)
        let summary = try await Self.summary()
        #expect(Self.describe(lifecycle.stopFinished(summary)) == ["2:stopped", "3:stopped"])
        #expect(Self.describe(lifecycle.stop(4)) == ["4:stopped"], "a later stop has the summary at once")
        guard case .stopped(let final) = lifecycle.phase else {
            Issue.record("not stopped: \(lifecycle.phase)")
            return
        }
        #expect(final == summary)
        #expect(lifecycle.claimStart() == .unavailable, "a start after stop")
    }

    @Test func stopsDuringStartWaitAndTheFirstDrainsWhatWasBound() {
        var lifecycle = Lifecycle()
        #expect(lifecycle.claimStart() == .claimed)
        #expect(lifecycle.stop(1).isEmpty)
        #expect(lifecycle.stop(2).isEmpty)
        #expect(Self.describe(lifecycle.startSucceeded("loops")) == ["1:stop(loops)"])
        guard case .stopping(let waiters) = lifecycle.phase else {
            Issue.record("not stopping: \(lifecycle.phase)")
            return
        }
        #expect(waiters == [2])
    }

    @Test func aFailedStartReturnsToIdleAndCanBeRetried() {
        var lifecycle = Lifecycle()
        #expect(lifecycle.claimStart() == .claimed)
        #expect(lifecycle.startFailed().isEmpty)
        guard case .idle = lifecycle.phase else {
            Issue.record("not idle: \(lifecycle.phase)")
            return
        }
        #expect(lifecycle.claimStart() == .claimed, "a start after a failed one")
        #expect(lifecycle.startFailed().isEmpty)
        #expect(Self.describe(lifecycle.stop(1)) == ["1:stop(nil)"], "a stop after a failed start drains nothing")
    }

    @Test func aStopWaitingOnAFailedStartDrainsNothing() {
        var lifecycle = Lifecycle()
        #expect(lifecycle.claimStart() == .claimed)
        #expect(lifecycle.stop(1).isEmpty)
        #expect(lifecycle.stop(2).isEmpty)
        #expect(Self.describe(lifecycle.startFailed()) == ["1:stop(nil)"])
        #expect(lifecycle.claimStart() == .unavailable, "the stop goes on; no start meanwhile")
    }

    @Test func runIsWokenByAShutdownRequestOrAStop() {
        var lifecycle = Lifecycle()
        #expect(lifecycle.claimStart() == .claimed)
        #expect(lifecycle.startSucceeded("loops").isEmpty)
        #expect(lifecycle.awaitShutdown(9).isEmpty)
        #expect(Self.describe(lifecycle.requestShutdown()) == ["9:shutdown"])
        #expect(lifecycle.requestShutdown().isEmpty, "a second request wakes nobody")
        #expect(Self.describe(lifecycle.awaitShutdown(10)) == ["10:shutdown"], "a request before the wait")

        var stopped = Lifecycle()
        #expect(stopped.claimStart() == .claimed)
        #expect(stopped.startSucceeded("loops").isEmpty)
        #expect(stopped.awaitShutdown(9).isEmpty)
        #expect(Self.describe(stopped.stop(1)) == ["1:stop(loops)", "9:shutdown"], "stop() ends run()")
        #expect(Self.describe(stopped.awaitShutdown(10)) == ["10:shutdown"], "no wait once stopping")
        #expect(stopped.requestShutdown().isEmpty)
    }
}
