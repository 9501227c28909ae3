import Foundation
import Glibc
import MyceliumKit
import Testing

/// Runs `body` on a thread of its own: the peer's blocking reads must not hold a thread of
/// the cooperative pool that the client's callers need.
private func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// A client connected to a ``StalledPeer`` the test plays the broker with; both are closed
/// after `body`, and every buffer of the client must be back in its pool then.
private func withScriptedPeer(
    options: MyceliumClient.Options = .init(),
    _ body: (MyceliumClient, StalledPeer, Int32) async throws -> Void
) async throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let peer = try StalledPeer(path: directory.path + "/peer.sock")
    defer { close(peer.listener) }
    let accepting = Task.detached { try peer.acceptAndGreet() }
    let pool = clientPool()
    let client = try await within(5, "connecting") {
        try await MyceliumClient.connect(to: .unix(path: peer.path), name: "requests", pool: pool, options: options)
    }
    let connection = try await accepting.value
    defer { close(connection) }
    try await body(client, peer, connection)
    try await client.close(timeout: .milliseconds(100))
    #expect(pool.stats().inUse == 0, "buffers still out after close: \(pool.stats())")
}

/// A STATS document whose `connections` is `connections`.
private func statsDocument(connections: Int) -> String {
    #"{"pool":{"name":"scripted","classes":[]},"connections":\#(connections),"messages_in":0,"messages_out":0,"slow_consumers":0,"dropped":0}"#
}

/// The bytes of the PING in `frame`, or a recorded issue.
private func pingBytes(_ frame: ControlFrame?, _ what: String) -> [UInt8] {
    guard case .ping(let bytes) = frame else {
        Issue.record("expected the \(what) PING, got \(String(describing: frame))")
        return []
    }
    return bytes
}

@Suite struct MyceliumClientRequestTests {
    @Test func aPingToABrokerThatNeverAnswersIsCancelledAndItsLatePongIsNotTakenForTheNext() async throws {
        try await withScriptedPeer { client, peer, connection in
            let first = Task { try await client.ping() }
            let firstPing = pingBytes(try await blocking { try peer.readFrame(connection) }, "first")
            first.cancel()
            let result = try await within(5, "the cancelled ping") { await first.result }
            guard case .failure(let error) = result, error is CancellationError else {
                Issue.record("expected CancellationError, got \(result)")
                return
            }

            let second = Task { try await client.ping() }
            let secondPing = pingBytes(try await blocking { try peer.readFrame(connection) }, "second")
            #expect(secondPing != firstPing)
            peer.write(connection, .pong(firstPing))
            try await Task.sleep(for: .milliseconds(300))
            peer.write(connection, .pong(secondPing))
            let rtt = try await within(5, "the second ping") { try await second.value }
            #expect(rtt >= .milliseconds(300), "the second ping waited for its own PONG, not the late one: \(rtt)")
        }
    }

    @Test func aCancelledStatsRequestKeepsItsPlaceSoTheLateReplyIsNotTakenForTheNext() async throws {
        try await withScriptedPeer { client, peer, connection in
            let first = Task { try await client.stats() }
            #expect(try await blocking { try peer.readFrame(connection) } == .statsRequest)
            first.cancel()
            let result = try await within(5, "the cancelled stats") { await first.result }
            guard case .failure(let error) = result, error is CancellationError else {
                Issue.record("expected CancellationError, got \(result)")
                return
            }
            let second = Task { try await client.stats() }
            #expect(try await blocking { try peer.readFrame(connection) } == .statsRequest)
            peer.write(connection, .stats(statsDocument(connections: 111)))
            peer.write(connection, .stats(statsDocument(connections: 222)))
            let stats = try await within(5, "the second stats") { try await second.value }
            #expect(stats.connections == 222)
        }
    }

    @Test func aCancelledSubscribeTakesItsSubscriptionBackAndItsRefusalIsNotReportedByTheNextFlush() async throws {
        try await withScriptedPeer { client, peer, connection in
            let subscribing = Task { try await client.subscribe([1101, 1102]) }
            let opening = pingBytes(try await blocking { try peer.readFrame(connection) }, "window-opening")
            #expect(try await blocking { try peer.readFrame(connection) } == .subscribe([1101, 1102]))
            let closing = pingBytes(try await blocking { try peer.readFrame(connection) }, "window-closing")
            subscribing.cancel()
            let result = try await within(5, "the cancelled subscribe") { await subscribing.result }
            guard case .failure(let error) = result, error is CancellationError else {
                Issue.record("expected CancellationError, got \(result)")
                return
            }

            let reopening = pingBytes(try await blocking { try peer.readFrame(connection) }, "UNSUBSCRIBE's opening")
            #expect(try await blocking { try peer.readFrame(connection) } == .unsubscribe([1101, 1102]))
            let reclosing = pingBytes(try await blocking { try peer.readFrame(connection) }, "UNSUBSCRIBE's closing")
            // The broker refused the SUBSCRIBE and the UNSUBSCRIBE: those ERRORs belong to the
            // abandoned requests and must not be reported by the next flush.
            let refused = WireError(.unknownTypeID, "type id 1101 is not in the catalog")
            for frame in [ControlFrame.pong(opening), .error(refused), .pong(closing)] { peer.write(connection, frame) }
            for frame in [ControlFrame.pong(reopening), .error(refused), .pong(reclosing)] { peer.write(connection, frame) }
            let flushing = Task { try await client.flush() }
            let flushPing = pingBytes(try await blocking { try peer.readFrame(connection) }, "flush")
            peer.write(connection, .pong(flushPing))
            try await within(5, "flush") { try await flushing.value }
        }
    }

    @Test func requestsToABrokerThatStoppedAnsweringTimeOutNamingTheRequest() async throws {
        var options = MyceliumClient.Options()
        options.requestTimeout = .milliseconds(200)
        try await withScriptedPeer(options: options) { client, _, _ in
            let started = ContinuousClock.now
            let ping = await clientError { _ = try await within(5, "ping") { try await client.ping() } }
            #expect(ping == .timedOut(request: "PING", after: .milliseconds(200)))
            #expect(ContinuousClock.now - started >= .milliseconds(200))
            #expect(ping?.description.contains("did not answer PING within 0.2 seconds") == true)
            let stats = await clientError { _ = try await within(5, "stats") { try await client.stats() } }
            #expect(stats == .timedOut(request: "STATS_REQUEST", after: .milliseconds(200)))
            let flush = await clientError { try await within(5, "flush") { try await client.flush() } }
            #expect(flush == .timedOut(request: "flush", after: .milliseconds(200)))
            let subscribe = await clientError { _ = try await within(5, "subscribe") { try await client.subscribe([1101]) } }
            #expect(subscribe == .timedOut(request: "SUBSCRIBE 1101", after: .milliseconds(200)))
        }
    }

    @Test func aRequestTimeoutBelowOneMillisecondIsRefused() async throws {
        var options = MyceliumClient.Options()
        options.requestTimeout = .zero
        let error = await clientError {
            _ = try await MyceliumClient.connect(to: .tcp(host: "127.0.0.1", port: 1), name: "x", options: options)
        }
        #expect(error?.description.contains("requestTimeout 0.0 seconds nil or >= 1 ms") == true)
    }

    @Test func aRequestFromAnAlreadyCancelledTaskIsNotSent() async throws {
        try await withScriptedPeer { client, peer, connection in
            let cancelled = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await client.ping()
            }
            let result = try await within(5, "a ping from a cancelled task") { await cancelled.result }
            guard case .failure(let error) = result, error is CancellationError else {
                Issue.record("expected CancellationError, got \(result)")
                return
            }
            let next = Task { try await client.ping() }
            let sent = pingBytes(try await blocking { try peer.readFrame(connection) }, "only")
            peer.write(connection, .pong(sent))
            _ = try await within(5, "the next ping") { try await next.value }
        }
    }
}
