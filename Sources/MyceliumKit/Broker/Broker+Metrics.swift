public import CoreMetrics

extension Broker {
    /// Reports ``metrics()`` into swift-metrics: to `factory`, by default the backend the
    /// application bootstrapped `MetricsSystem` with, under the names `mycelium serve --metrics` uses:
    /// gauges are recorded as they are now, counters are incremented by what they grew since
    /// the previous report.
    ///
    /// Call it on demand or from one task at an interval; reports from several tasks at once
    /// may count growth late (never twice).
    ///
    /// ```swift
    /// MetricsSystem.bootstrap(myFactory)
    /// Task {
    ///     while !Task.isCancelled {
    ///         await broker.reportMetrics()
    ///         try await Task.sleep(for: .seconds(10))
    ///     }
    /// }
    /// ```
    public func reportMetrics(to factory: any MetricsFactory = MetricsSystem.factory) async {
        let now = await metrics()
        let previous = reported.withLock { last in
            defer { if last.map({ $0.messagesReceived <= now.messagesReceived }) ?? true { last = now } }
            return last
        }
        func counter(_ label: String, _ value: Int, _ old: Int?, _ dimensions: [(String, String)] = []) {
            let growth = value - (old ?? 0)
            if growth > 0 { Counter(label: label, dimensions: dimensions, factory: factory).increment(by: growth) }
        }
        func gauge(_ label: String, _ value: Int, _ dimensions: [(String, String)] = []) {
            Gauge(label: label, dimensions: dimensions, factory: factory).record(value)
        }
        gauge("mycelium_build_info", 1, [("version", now.version)])
        gauge("mycelium_connections", now.connections)
        counter("mycelium_connections_opened_total", now.connectionsOpened, previous?.connectionsOpened)
        let closedBefore = Dictionary(uniqueKeysWithValues: previous?.connectionsClosed.byReason.map { ($0, $1) } ?? [])
        for (reason, count) in now.connectionsClosed.byReason {
            counter("mycelium_connections_closed_total", count, closedBefore[reason], [("reason", reason)])
        }
        gauge("mycelium_subscriptions", now.subscriptions)
        counter("mycelium_messages_received_total", now.messagesReceived, previous?.messagesReceived)
        counter("mycelium_messages_delivered_total", now.messagesDelivered, previous?.messagesDelivered)
        counter("mycelium_bytes_received_total", now.bytesReceived, previous?.bytesReceived)
        counter("mycelium_bytes_sent_total", now.bytesSent, previous?.bytesSent)
        counter(
            "mycelium_messages_dropped_total", now.messagesDroppedSlowConsumer, previous?.messagesDroppedSlowConsumer,
            [("reason", "slow_consumer")])
        counter(
            "mycelium_messages_dropped_total", now.messagesDroppedNoMemory, previous?.messagesDroppedNoMemory,
            [("reason", "no_memory")])
        counter("mycelium_slow_consumers_total", now.slowConsumers, previous?.slowConsumers)
        gauge("mycelium_pending_bytes", now.pendingBytes)
        let classesBefore = Dictionary(
            (previous?.pool.reportedClasses ?? []).map { ($0.size, $0) }, uniquingKeysWith: { first, _ in first })
        for entry in now.pool.reportedClasses {
            let before = classesBefore[entry.size]
            let dimensions = [("class", entry.size == 0 ? "oversize" : "\(entry.size)")]
            counter("mycelium_pool_acquires_total", entry.acquires, before?.acquires, dimensions)
            counter("mycelium_pool_hits_total", entry.hits, before?.hits, dimensions)
            counter("mycelium_pool_allocations_total", entry.allocations, before?.allocations, dimensions)
            counter("mycelium_pool_misses_total", entry.misses, before?.misses, dimensions)
            gauge("mycelium_pool_in_use", entry.inUse, dimensions)
            gauge("mycelium_pool_bytes_reserved", entry.bytesReserved, dimensions)
        }
        gauge("process_resident_memory_bytes", now.residentMemoryBytes)
        gauge("process_open_fds", now.openFileDescriptors)
    }
}
