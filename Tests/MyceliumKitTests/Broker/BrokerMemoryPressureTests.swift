import Glibc
import MyceliumBackends
import MyceliumKit
import MyceliumTestSupport
import Synchronization
import Testing

/// The system pool, refusing buffers of the `refused` sizes as a pool whose budget is spent
/// does, and counting its refusals.
private final class RefusingPool: PoolBackend {
    let name = "refusing"
    let configuration: PoolConfiguration
    let refusals = Atomic<Int>(0)
    private let refused: ClosedRange<Int>
    private let heap: SystemPool

    init(configuration: PoolConfiguration, refused: ClosedRange<Int>) {
        self.configuration = configuration
        self.refused = refused
        heap = SystemPool(configuration: configuration)
    }

    func allocate(byteCount: Int) throws(PoolError) -> PoolAllocation {
        guard !refused.contains(byteCount) else {
            refusals.add(1, ordering: .relaxed)
            throw .budgetExhausted(requested: byteCount, budget: refused.lowerBound - 1)
        }
        return try heap.allocate(byteCount: byteCount)
    }

    func deallocate(_ allocation: PoolAllocation, usedByteCount: Int) {
        heap.deallocate(allocation, usedByteCount: usedByteCount)
    }

    func stats() -> PoolStats { heap.stats() }

    func trim() { heap.trim() }
}

@Suite struct BrokerMemoryPressureTests {
    @Test func aPendingLimitThatAStalledSubscriberCanSpendTheBudgetWithIsWarnedAbout() async throws {
        let budget = 4 << 20
        for (maxPending, policy, warns) in [
            (budget, PoolConfiguration.OverflowPolicy.fail, true), (budget - 1, .fail, false), (budget, .allocate, false),
        ] {
            let recorder = LogRecorder()
            var configuration = BrokerConfiguration.forTests()
            configuration.maxPending = maxPending
            configuration.logger = recorder.logger()
            configuration.pool = .instance(
                SystemPool(
                    configuration: PoolConfiguration(
                        plan: configuration.sizeClassPlan, memoryBudget: budget, overflowPolicy: policy)))
            try await withBroker(configuration) { _, _ in }
            let warning = recorder.lines.first { $0.level == .warning && $0.message.contains("whole memory budget") }
            #expect((warning != nil) == warns, "maxPending \(maxPending), policy \(policy)")
            if let warning {
                #expect(warning.message.contains("set maxPending (serve --max-pending) below the budget"))
                #expect(warning.metadata["max_pending"] == "\(maxPending)" && warning.metadata["memory_budget"] == "\(budget)")
            }
        }
    }

    /// Under the `fail` policy a spent budget may leave no output chunk for a control reply;
    /// the reply then goes out from the heap: a client still connects (HELLO), pings and
    /// reads STATS.
    @Test func controlRepliesGoOutWhenThePoolRefusesOutputChunks() async throws {
        var configuration = BrokerConfiguration.forTests()
        let pool = RefusingPool(
            configuration: PoolConfiguration(plan: configuration.sizeClassPlan),
            refused: configuration.engineBufferSize...configuration.engineBufferSize)
        configuration.pool = .instance(pool)
        try await withBroker(configuration) { _, addresses in
            let stats = try await within(60, "a HELLO, a PONG and STATS through a pool without output chunks") {
                let client = try await connectClient(addresses[0])
                _ = try await client.ping()
                let stats = try await client.stats()
                try await client.close()
                return stats
            }
            #expect(stats.connections >= 1)
            #expect(pool.refusals.load(ordering: .relaxed) >= 3, "every reply was refused a chunk")
        }
    }

    /// A connection stops being read while the pool has no buffer for its frame. One reset
    /// in that state used to be freed at the end of the batch and then read again by the
    /// resume of paused connections (AddressSanitizer: heap-use-after-free).
    @Test func aConnectionPausedForMemoryThatResetsIsFreedAndOthersGoOn() async throws {
        var configuration = BrokerConfiguration.forTests()
        // The frame's own buffer is refused; output chunks and the loops' receive buffers are not.
        let pool = RefusingPool(
            configuration: PoolConfiguration(plan: configuration.sizeClassPlan), refused: 65_537...200_000)
        configuration.pool = .instance(pool)
        try await withBroker(configuration) { broker, addresses in
            let pair = try await HealthyPair(addresses[0])
            try await pair.exchange()
            let subscriber = try await TestClient(addresses[0])
            try await subscriber.subscribe([TestTypes.large])
            do {
                let publisher = try await TestClient(addresses[0])
                // A frame of 100,000 bytes for a subscriber: it needs a buffer of its own.
                try await publisher.send(
                    FrameHeader(typeID: TestTypes.large, length: 100_000).bytes + [UInt8](repeating: 1, count: 1_000))
                try await waitUntil("the broker asked for the frame's buffer and was refused") {
                    pool.refusals.load(ordering: .relaxed) > 0
                }
                var reset = linger(l_onoff: 1, l_linger: 0)
                setsockopt(publisher.fd, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
            }
            #expect(try await broker.waitForStats { $0.connections == 3 }.connections == 3, "the reset publisher is gone")
            try await pair.exchange()
        }
    }
}
