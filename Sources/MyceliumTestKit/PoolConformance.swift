public import MyceliumCore

/// The promises every ``MyceliumKit/PoolBackend`` keeps, checked against a real pool. Run it
/// from any test framework and assert that the result is empty:
///
/// ```swift
/// let failures = PoolConformance(claims: .init(pools: true, zeroes: true)).check { configuration in
///     MyPool(configuration: configuration)
/// }
/// #expect(failures.isEmpty, "\(failures)")
/// ```
///
/// Each check makes fresh pools with small plans (classes of 128, 1024 and 4096 bytes) and
/// covers: lazy start, class selection by actual size, invalid sizes, region growth and the
/// budget, both overflow policies, the stats invariants, exactly-once return, zeroing, no
/// buffer handed out twice under concurrent acquire/release, cross-thread release, fan-out
/// reference counting and `trim()`. Every loop is bounded in count and in time.
///
/// Not checked here, because it stops the process: that the backend's `deinit` calls
/// ``MyceliumKit/PoolBackend/checkNoBuffersOut(inUse:)``, so that a pool destroyed with
/// buffers out is a precondition failure naming it. Check that in an exit test:
///
/// ```swift
/// await #expect(processExitsWith: .failure) {
///     let kept = UnsafeMutablePointer<PooledBuffer>.allocate(capacity: 1)
///     do { kept.initialize(to: try MyPool(configuration: configuration).acquire(byteCount: 16)) }
/// }
/// ```
public struct PoolConformance: Sendable {
    /// What a backend says it does, beyond what every backend must do.
    public struct Claims: Sendable, Hashable {
        /// The backend reuses memory: classes reserve regions lazily, grow one region at a
        /// time within the budget (a region reserves `size × capacity` bytes, as
        /// ``MyceliumKit/SizeClassPlan/SizeClass/regionBytes`` says), count hits on reuse and
        /// give regions back on `trim()`.
        public var pools: Bool
        /// Every buffer it hands out reads as zero when it is given out (the used bytes of
        /// returned buffers are zeroed when the configuration asks for it).
        public var zeroes: Bool

        /// Creates claims.
        public init(pools: Bool, zeroes: Bool) {
            self.pools = pools
            self.zeroes = zeroes
        }
    }

    /// One broken promise.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The check that found it, e.g. `"region growth"`.
        public let check: String
        /// What was expected and what happened.
        public let message: String

        /// Creates a failure.
        public init(check: String, message: String) {
            self.check = check
            self.message = message
        }

        public var description: String { "[\(check)] \(message)" }
    }

    /// What the backend claims.
    public var claims: Claims
    /// Threads in the concurrent checks.
    public var threadCount: Int
    /// Acquire/release rounds per thread in the concurrent check.
    public var iterations: Int
    /// Wall-clock limit for each concurrent check, in seconds: the rounds stop there, and the
    /// check fails only if fewer rounds than threads finished.
    public var timeLimit: Double

    /// Creates a suite for a backend with these claims.
    public init(claims: Claims, threadCount: Int = 4, iterations: Int = 2_000, timeLimit: Double = 20) {
        self.claims = claims
        self.threadCount = threadCount
        self.iterations = iterations
        self.timeLimit = timeLimit
    }

    /// Runs every check against pools made by `makePool`, and returns what failed (empty
    /// when the backend keeps all its promises).
    public func check(makePool: (PoolConfiguration) throws -> any PoolBackend) -> [Failure] {
        withoutActuallyEscaping(makePool) { makePool in run(makePool) }
    }

    private func run(_ makePool: @escaping (PoolConfiguration) throws -> any PoolBackend) -> [Failure] {
        var run = ConformanceRun(conformance: self, makePool: makePool)
        run.lazyStart()
        run.classSelection()
        run.invalidSizes()
        run.aboveEveryClass()
        run.exactlyOnceReturn()
        run.fanOut()
        run.crossThreadRelease()
        run.concurrentAcquireRelease()
        if claims.zeroes { run.zeroing() }
        if claims.pools {
            run.growthAndTrim()
            run.budgetUnderFail()
            run.budgetUnderAllocate()
        }
        return run.failures
    }

    /// Like ``check(makePool:)``, but throws the failures.
    ///
    /// - Throws: ``Failures`` listing every broken promise.
    public func verify(makePool: (PoolConfiguration) throws -> any PoolBackend) throws(Failures) {
        let failures = check(makePool: makePool)
        if !failures.isEmpty { throw Failures(failures: failures) }
    }

    /// Every failure of one run, one per line in `description`.
    public struct Failures: Error, Sendable, CustomStringConvertible {
        /// The failures, in the order found.
        public let failures: [Failure]

        public var description: String {
            "pool conformance: \(failures.count) failure(s)\n" + failures.map(\.description).joined(separator: "\n")
        }
    }
}
