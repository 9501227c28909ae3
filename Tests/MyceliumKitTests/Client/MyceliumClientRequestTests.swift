import Foundation
import Glibc
import MyceliumKit
import MyceliumTestSupport
import Synchronization
import Testing

/// Waits (at most a minute) for `task` and expects it to have ended with `CancellationError`.
private func expectCancellation<T: Sendable>(_ task: Task<T, any Error>, _ what: String) async throws {
    let result = try await within(60, what) { await task.result }
    guard case .failure(let error) = result, error is CancellationError else {
        Issue.record("\(what): expected CancellationError, got \(result)")
        return
    }
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
        try await withPeer { client, peer, connection in
            let first = Task { try await client.ping() }
            let firstPing = pingBytes(try await onThread { try peer.readFrame(connection) }, "first")
            first.cancel()
            try await expectCancellation(first, "the cancelled ping")

            let secondDone = Atomic(false)
            let second = Task {
                defer { secondDone.store(true, ordering: .releasing) }
                return try await client.ping()
            }
            let secondPing = pingBytes(try await onThread { try peer.readFrame(connection) }, "second")
            #expect(secondPing != firstPing)
            // A third ping answered after the late PONG proves the client has read that one.
            let third = Task { try await client.ping() }
            let thirdPing = pingBytes(try await onThread { try peer.readFrame(connection) }, "third")
            peer.write(connection, .pong(firstPing))
            peer.write(connection, .pong(thirdPing))
            _ = try await within(60, "the third ping") { try await third.value }
            let secondAnswered = secondDone.load(ordering: .acquiring)
            #expect(!secondAnswered, "the second ping waits for its own PONG, not the late one")
            peer.write(connection, .pong(secondPing))
            _ = try await within(60, "the second ping") { try await second.value }
        }
    }

    @Test func aCancelledStatsRequestKeepsItsPlaceSoTheLateReplyIsNotTakenForTheNext() async throws {
        try await withPeer { client, peer, connection in
            let first = Task { try await client.stats() }
            #expect(try await onThread { try peer.readFrame(connection) } == .statsRequest)
            first.cancel()
            try await expectCancellation(first, "the cancelled stats")
            let second = Task { try await client.stats() }
            #expect(try await onThread { try peer.readFrame(connection) } == .statsRequest)
            peer.write(connection, .stats(statsDocument(connections: 111)))
            peer.write(connection, .stats(statsDocument(connections: 222)))
            let stats = try await within(60, "the second stats") { try await second.value }
            #expect(stats.connections == 222)
        }
    }

    @Test func aCancelledSubscribeTakesItsSubscriptionBackAndItsRefusalIsNotReportedByTheNextFlush() async throws {
        try await withPeer { client, peer, connection in
            let subscribing = Task { try await client.subscribe([1101, 1102]) }
            let opening = pingBytes(try await onThread { try peer.readFrame(connection) }, "window-opening")
            #expect(try await onThread { try peer.readFrame(connection) } == .subscribe([1101, 1102]))
            let closing = pingBytes(try await onThread { try peer.readFrame(connection) }, "window-closing")
            subscribing.cancel()
            try await expectCancellation(subscribing, "the cancelled subscribe")

            let reopening = pingBytes(try await onThread { try peer.readFrame(connection) }, "UNSUBSCRIBE's opening")
            #expect(try await onThread { try peer.readFrame(connection) } == .unsubscribe([1101, 1102]))
            let reclosing = pingBytes(try await onThread { try peer.readFrame(connection) }, "UNSUBSCRIBE's closing")
            // The broker refused the SUBSCRIBE and the UNSUBSCRIBE: those ERRORs belong to the
            // abandoned requests and must not be reported by the next flush.
            let refused = WireError(.unknownTypeID, "type id 1101 is not in the catalog")
            for frame in [ControlFrame.pong(opening), .error(refused), .pong(closing)] { peer.write(connection, frame) }
            for frame in [ControlFrame.pong(reopening), .error(refused), .pong(reclosing)] { peer.write(connection, frame) }
            let flushing = Task { try await client.flush() }
            let flushPing = pingBytes(try await onThread { try peer.readFrame(connection) }, "flush")
            peer.write(connection, .pong(flushPing))
            try await within(60, "flush") { try await flushing.value }
        }
    }

    @Test func requestsToABrokerThatStoppedAnsweringTimeOutNamingTheRequest() async throws {
        var options = MyceliumClient.Options()
        options.requestTimeout = .milliseconds(200)
        try await withPeer(options: options) { client, _, _ in
            let started = ContinuousClock.now
            let ping = await clientError { _ = try await within(60, "ping") { try await client.ping() } }
            #expect(ping == .timedOut(request: "PING", after: .milliseconds(200)))
            #expect(ContinuousClock.now - started >= .milliseconds(200))
            #expect(ping?.description.contains("did not answer PING within 0.2 seconds") == true)
            let stats = await clientError { _ = try await within(60, "stats") { try await client.stats() } }
            #expect(stats == .timedOut(request: "STATS_REQUEST", after: .milliseconds(200)))
            let flush = await clientError { try await within(60, "flush") { try await client.flush() } }
            #expect(flush == .timedOut(request: "flush", after: .milliseconds(200)))
            let subscribe = await clientError { _ = try await within(60, "subscribe") { try await client.subscribe([1101]) } }
            #expect(subscribe == .timedOut(request: "SUBSCRIBE 1101", after: .milliseconds(200)))
        }
    }

    @Test func aFrameAboveMaxPayloadEndsTheConnectionBeforeAnyBufferIsTaken() async throws {
        var options = MyceliumClient.Options.forTests
        options.maxPayload = 100_000
        try await withPeer(options: options) { client, peer, connection in
            // At the limit: a frame of a type no stream receives is skipped, and the client
            // goes on (its PING is answered).
            peer.write(
                connection, bytes: FrameHeader(typeID: 1001, length: 100_000).bytes + [UInt8](repeating: 1, count: 100_000))
            let ping = Task { try await client.ping() }
            let token = pingBytes(try await onThread { try peer.readFrame(connection) }, "first")
            peer.write(connection, .pong(token))
            _ = try await within(60, "the PONG") { try await ping.value }
            let acquiresBefore = client.pool.stats().acquires
            // One byte more, announced with none of its payload: refused at its header.
            peer.write(connection, bytes: FrameHeader(typeID: 1001, length: 100_001).bytes)
            let error = await clientError { _ = try await within(60, "the refusal") { try await client.ping() } }
            #expect(error?.code == .protocolViolation)
            #expect(
                error?.description.contains(
                    "sent a frame of type 1001 with length 100001, above this client's maxPayload of 100000 bytes") == true,
                "\(String(describing: error))")
            #expect(client.pool.stats().acquires == acquiresBefore, "no buffer was taken for the refused frame")
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

    @Test(arguments: [0, Int(UInt32.max) + 1])
    func aMaxPayloadOutsideOneByteToFourGiBIsRefused(maxPayload: Int) async throws {
        var options = MyceliumClient.Options()
        options.maxPayload = maxPayload
        let error = await clientError {
            _ = try await MyceliumClient.connect(to: .tcp(host: "127.0.0.1", port: 1), name: "x", options: options)
        }
        #expect(error?.description.contains("maxPayload \(maxPayload) 1 to 4 GiB") == true, "\(String(describing: error))")
    }

    @Test func aRequestFromAnAlreadyCancelledTaskIsNotSent() async throws {
        try await withPeer { client, peer, connection in
            let cancelled = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await client.ping()
            }
            try await expectCancellation(cancelled, "a ping from a cancelled task")
            let next = Task { try await client.ping() }
            let sent = pingBytes(try await onThread { try peer.readFrame(connection) }, "only")
            peer.write(connection, .pong(sent))
            _ = try await within(60, "the next ping") { try await next.value }
        }
    }
}
