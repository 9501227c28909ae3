import Glibc
import MyceliumBackends
import MyceliumKit
import MyceliumTestSupport
import Testing

/// The load generator's batch call: a run of encoded frames published in one queueing.
@Suite struct MyceliumClientBatchTests {
    @Test func aRunOfEncodedFramesArrivesInOrder() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let subscriberPool = clientPool()
            let subscriber = try await MyceliumClient.connect(
                to: addresses[0], name: "drainer", pool: subscriberPool, options: .forTests)
            let stream = try await subscriber.subscribe([TestTypes.bench])
            let publisher = try await connectClient(addresses[0], name: "batcher")
            let frameCount = 300
            let payloadSize = 16
            // All but the last frame in one run, then the last one alone.
            try await publisher.publish(
                encodedFrames: try encodedRun(
                    for: publisher, typeID: TestTypes.bench, payloadSize: payloadSize, from: 0, count: frameCount - 1))
            try await publisher.publish(
                encodedFrames: try encodedRun(
                    for: publisher, typeID: TestTypes.bench, payloadSize: payloadSize, from: frameCount - 1, count: 1))
            try await publisher.flush()

            let received = try await within(20, "reading \(frameCount) messages") {
                var seen: [Int] = []
                var iterator = stream.makeAsyncIterator()
                while seen.count < frameCount, let message = try await iterator.next() {
                    #expect(message.typeID == TestTypes.bench && message.payload.count == payloadSize)
                    seen.append(sequence(message.payload))
                }
                return seen
            }
            #expect(received == Array(0..<frameCount), "every frame once, in order")

            try await subscriber.unsubscribe(stream)
            var iterator = stream.makeAsyncIterator()
            #expect(try await iterator.next() == nil, "the stream ends after its unsubscribe")
            try await publisher.close()
            try await subscriber.close()
            #expect(subscriberPool.stats().inUse == 0, "every buffer read went back: \(subscriberPool.stats())")
        }
    }

    @Test func aRunWrittenInPartStraightToTheSocketGoesOnBehindItsWrittenPart() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let peer = try StalledPeer(path: directory.path + "/stalled.sock")
        defer { close(peer.listener) }
        let accepting = Task { try await onThread { try peer.acceptAndGreet() } }
        let pool = clientPool()
        let client = try await MyceliumClient.connect(to: .unix(path: peer.path), name: "p", pool: pool, options: .forTests)
        let connection = try await accepting.value
        defer { close(connection) }
        // 2.5 MB in runs of 63 KB to a peer that does not read yet: the first runs go
        // straight to the socket until it is full, one of them in part (cut inside a frame),
        // the rest waits in the client.
        let runs = 40
        let runLength = 900
        let frameBytes = FrameHeader.byteCount + 64
        let publishing = Task {
            for run in 0..<runs {
                try await client.publish(
                    encodedFrames: try encodedRun(
                        for: client, typeID: TestTypes.bench, payloadSize: 64, from: run * runLength, count: runLength))
            }
        }
        try await waitUntil("a publish suspended by back-pressure") { client.suspendedPublishers == 1 }
        let total = runs * runLength
        let bytes = try await onThread { try peer.read(connection, byteCount: total * frameBytes) }
        try await within(10, "the publisher to finish") {
            try await withTaskCancellationHandler {
                try await publishing.value
            } onCancel: {
                publishing.cancel()
            }
        }
        var misplaced = 0
        bytes.withUnsafeBytes { raw in
            for index in 0..<total {
                let header = FrameHeader(readingFrom: raw.baseAddress! + index * frameBytes)
                let payload = UnsafeRawBufferPointer(rebasing: raw[(index * frameBytes + FrameHeader.byteCount)...])
                if header.typeID != TestTypes.bench || header.length != 64 || sequence(payload) != index { misplaced += 1 }
            }
        }
        #expect(misplaced == 0, "every frame whole, once, in order")
        _ = await clientError { try await client.close(timeout: .milliseconds(100)) }
        #expect(pool.stats().inUse == 0)
    }
}
