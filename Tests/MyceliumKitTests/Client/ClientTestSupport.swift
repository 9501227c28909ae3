import Glibc
import MyceliumBackends
import MyceliumKit
import Testing

/// A test that took longer than it may.
struct TimedOut: Error, CustomStringConvertible {
    let description: String
}

/// Runs `body`, throwing ``TimedOut`` naming `what` if it takes longer than `seconds` (the
/// body is cancelled then; every wait the tests bound this way is cancellable).
func within<T: Sendable>(
    _ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TimedOut(description: "\(what) took more than \(seconds) s")
        }
        return value
    }
}

/// A pool for test clients: the test types' classes and the engine's 64 KiB class, from the
/// heap, so that `inUse` counts every buffer a client holds.
func clientPool() -> SystemPool {
    SystemPool(
        configuration: PoolConfiguration(
            plan: TestTypes.table.sizeClassPlan.adding([.init(size: 64 << 10, capacity: 16)])))
}

/// The payload of sequence number `sequence`: its 8 little-endian bytes.
func sequencePayload(_ sequence: Int) -> [UInt8] {
    withUnsafeBytes(of: UInt64(sequence).littleEndian, Array.init)
}

extension MessageStream {
    /// Reads `count` messages (within `seconds`) and returns copies of their payloads.
    func collect(_ count: Int, seconds: Double = 10) async throws -> [(typeID: UInt16, payload: [UInt8])] {
        let stream = self
        return try await within(seconds, "reading \(count) messages") {
            var iterator = stream.makeAsyncIterator()
            var received: [(UInt16, [UInt8])] = []
            while received.count < count, let message = try await iterator.next() {
                received.append((message.typeID, message.copyBytes()))
            }
            return received
        }
    }
}

/// Connects a client named `name` to `address` with its own test pool.
func connectClient(
    _ address: ListenerAddress, name: String = "test", digest: [UInt8]? = nil,
    options: MyceliumClient.Options = .init()
) async throws -> MyceliumClient {
    try await MyceliumClient.connect(to: address, name: name, digest: digest, pool: clientPool(), options: options)
}

/// The `MyceliumClientError` `body` throws, or a failed expectation if it throws another
/// error or none.
func clientError(_ body: () async throws -> Void) async -> MyceliumClientError? {
    do {
        try await body()
        Issue.record("expected a MyceliumClientError, nothing was thrown")
    } catch let error as MyceliumClientError {
        return error
    } catch {
        Issue.record("expected a MyceliumClientError, got \(error)")
    }
    return nil
}
