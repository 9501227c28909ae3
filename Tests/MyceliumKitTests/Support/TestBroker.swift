import Foundation
import Glibc
import MyceliumBackends
import MyceliumKit
import Testing

/// Message types the broker tests use: a small one, a 1 KiB one (BenchFrame) and a large one.
enum TestTypes {
    static let small: UInt16 = 1001
    static let bench: UInt16 = 1002
    static let large: UInt16 = 1003
    /// Used only by ``HealthyPair``.
    static let healthy: UInt16 = 1004
    static let table: MessageTypeTable = {
        do {
            return try MessageTypeTable([
                .init(id: small, name: "Small", maxPayload: 64),
                .init(id: bench, name: "BenchFrame", maxPayload: 1024),
                .init(id: large, name: "Large", maxPayload: 1 << 20),
                .init(id: healthy, name: "Healthy", maxPayload: 8),
            ])
        } catch {
            preconditionFailure("test types: \(error)")
        }
    }()
}

/// A temporary directory for Unix sockets, removed with its contents by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/mycelium-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    func remove() {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(cString: $0.bindMemory(to: CChar.self).baseAddress!)
                }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}

extension BrokerConfiguration {
    /// A configuration on 127.0.0.1 port 0 with the test types and the named built-in pool.
    static func forTests(pool: String = "system", listeners: [ListenerAddress] = [.tcp(host: "127.0.0.1", port: 0)])
        -> BrokerConfiguration
    {
        var configuration = BrokerConfiguration(messageTypes: TestTypes.table, pool: .named(pool, in: .builtIn))
        configuration.listeners = listeners
        return configuration
    }
}

extension Broker {
    /// Waits (at most 5 s) until `condition` holds for the stats, returning the last stats.
    @discardableResult
    func waitForStats(_ condition: (BrokerStats) -> Bool) async throws -> BrokerStats {
        for _ in 0..<500 {
            let stats = stats()
            if condition(stats) { return stats }
            try await Task.sleep(for: .milliseconds(10))
        }
        return stats()
    }
}

/// A publisher and a subscriber on `address` that must see every one of their messages,
/// run beside bad input to show other connections never notice it.
final class HealthyPair {
    let publisher: TestClient
    let subscriber: TestClient
    private var sequence: UInt64 = 0

    /// Connects both; with a `token`, each sends HELLO with it first.
    init(_ address: ListenerAddress, token: String? = nil) throws {
        publisher = try TestClient(address)
        subscriber = try TestClient(address)
        if let token {
            try publisher.hello(token: token)
            try subscriber.hello(token: token)
        }
        try subscriber.subscribe([TestTypes.healthy])
    }

    /// Publishes `count` numbered messages and checks each arrives, in order.
    func exchange(_ count: Int = 10) throws {
        let first = sequence
        for _ in 0..<count {
            sequence += 1
            try publisher.send(typeID: TestTypes.healthy, payload: withUnsafeBytes(of: sequence.littleEndian, Array.init))
        }
        for expected in (first + 1)...(first + UInt64(count)) {
            let frame = try subscriber.readFrame()
            #expect(frame.typeID == TestTypes.healthy)
            #expect(frame.payload == withUnsafeBytes(of: expected.littleEndian, Array.init))
        }
    }
}

/// Starts a broker, runs `body` with it and its bound addresses, stops it and checks that
/// every buffer went back to the pool.
func withBroker(
    _ configuration: BrokerConfiguration, _ body: (Broker, [ListenerAddress]) async throws -> Void
) async throws {
    let broker = try Broker(configuration: configuration)
    let addresses = try broker.start()
    do {
        try await body(broker, addresses)
    } catch {
        _ = await broker.stop()
        throw error
    }
    let summary = await broker.stop()
    #expect(summary.stats.pool.inUse == 0, "buffers still out after stop: \(summary.stats.pool)")
    #expect(summary.stats.connections == 0)
}

/// Blocking work on its own thread, started at once, so blocking socket calls never hold
/// one of the few threads Swift concurrency runs tests on (nor wait for one to start).
final class BackgroundThread<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?

    init(_ body: @escaping @Sendable () throws -> T) {
        Thread {
            self.result = Result { try body() }
            self.done.signal()
        }.start()
    }

    /// Waits for the thread and returns what `body` returned, or throws what it threw.
    func value() throws -> T {
        done.wait()
        done.signal()
        return try result!.get()
    }
}
