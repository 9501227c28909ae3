import Foundation
import MyceliumKit
import Prometheus

/// A broker's ``BrokerMetrics`` as Prometheus text (exposition format 0.0.4), rendered
/// through swift-prometheus's `PrometheusCollectorRegistry`: a fresh registry per scrape,
/// filled from one snapshot, so every figure in one answer is from the same moment.
///
/// The one file that imports Prometheus: its swift-atomics dependency's `.relaxed` would
/// clash with the standard library's `Synchronization` anywhere both are imported.
enum PrometheusExposition {
    /// How long a scrape waits for the loops to report their pending bytes.
    static let loopTimeoutSeconds = 2.0

    /// The text for one scrape of `broker`, asked from the metrics endpoint's thread.
    static func scrape(_ broker: Broker) -> String {
        let answer = Answer()
        broker.metrics { metrics in
            answer.metrics = metrics
            answer.ready.signal()
        }
        guard answer.ready.wait(timeout: .now() + loopTimeoutSeconds) == .success, let metrics = answer.metrics else {
            return "# the broker's loops did not answer within \(loopTimeoutSeconds) s; try again\n"
        }
        return text(metrics)
    }

    /// The snapshot as Prometheus text.
    static func text(_ metrics: BrokerMetrics) -> String {
        let registry = PrometheusCollectorRegistry()
        func counter(_ name: String, _ help: String, _ value: Int, _ labels: [(String, String)] = []) {
            registry.makeCounter(descriptor: descriptor(name, help), labels: labels).increment(by: Int64(value))
        }
        func gauge(_ name: String, _ help: String, _ value: Int, _ labels: [(String, String)] = []) {
            registry.makeGauge(descriptor: descriptor(name, help), labels: labels).set(Int64(value))
        }
        // The whole name as the metric name: the conventions' `_total` and `_bytes` are in it.
        func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        }
        gauge(
            "mycelium_build_info", "The broker's version, as a label; the value is always 1.", 1,
            [("version", metrics.version)])
        gauge("mycelium_connections", "Connections open now.", metrics.connections)
        counter("mycelium_connections_opened_total", "Connections accepted.", metrics.connectionsOpened)
        for (reason, count) in metrics.connectionsClosed.byReason {
            counter("mycelium_connections_closed_total", "Connections closed, by reason.", count, [("reason", reason)])
        }
        gauge("mycelium_subscriptions", "Socket subscriptions held now (connection x type).", metrics.subscriptions)
        counter("mycelium_messages_received_total", "Data frames received.", metrics.messagesReceived)
        counter(
            "mycelium_messages_delivered_total", "Data frames queued for subscribers, one per subscriber.",
            metrics.messagesDelivered)
        counter("mycelium_bytes_received_total", "Bytes read from sockets.", metrics.bytesReceived)
        counter("mycelium_bytes_sent_total", "Bytes written to sockets.", metrics.bytesSent)
        let dropped = "Data frames a subscriber lost, by reason."
        counter(
            "mycelium_messages_dropped_total", dropped, metrics.messagesDroppedSlowConsumer, [("reason", "slow_consumer")])
        counter("mycelium_messages_dropped_total", dropped, metrics.messagesDroppedNoMemory, [("reason", "no_memory")])
        counter("mycelium_slow_consumers_total", "Subscribers disconnected for falling behind.", metrics.slowConsumers)
        gauge("mycelium_pending_bytes", "Bytes queued for connections and not yet written.", metrics.pendingBytes)
        for entry in metrics.pool.reportedClasses {
            let labels = [("class", entry.size == 0 ? "oversize" : "\(entry.size)")]
            counter("mycelium_pool_acquires_total", "Buffers taken from the pool, by size class.", entry.acquires, labels)
            counter("mycelium_pool_hits_total", "Acquires served by a buffer used before.", entry.hits, labels)
            counter("mycelium_pool_allocations_total", "Acquires served by fresh pool memory.", entry.allocations, labels)
            counter("mycelium_pool_misses_total", "Acquires served from the heap, outside the pool.", entry.misses, labels)
            gauge("mycelium_pool_in_use", "Buffers out of the pool now.", entry.inUse, labels)
            gauge("mycelium_pool_bytes_reserved", "Pool memory reserved for the class, in bytes.", entry.bytesReserved, labels)
        }
        gauge("process_resident_memory_bytes", "Resident memory size in bytes.", metrics.residentMemoryBytes)
        gauge("process_open_fds", "Number of open file descriptors.", metrics.openFileDescriptors)
        return registry.emitToString()
    }

    /// Where the loops' answer lands; the semaphore orders the write before the read.
    private final class Answer: @unchecked Sendable {
        let ready = DispatchSemaphore(value: 0)
        var metrics: BrokerMetrics?
    }
}
