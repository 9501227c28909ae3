import MyceliumBackends
import MyceliumKit
import MyceliumTestSupport
import Testing

/// The load generator's batch calls: a run of encoded frames published in one queueing,
/// and a stream drained a batch at a time.
@Suite struct MyceliumClientBatchTests {
    @Test func aRunOfEncodedFramesArrivesInOrderAndDrainsInBatchesOfAtMostTheLimit() async throws {
        try await withBroker(.forTests()) { _, addresses in
            let subscriberPool = clientPool()
            let subscriber = try await MyceliumClient.connect(to: addresses[0], name: "drainer", pool: subscriberPool)
            let stream = try await subscriber.subscribe([TestTypes.bench])
            let publisher = try await connectClient(addresses[0], name: "batcher")
            let frameCount = 300
            let payloadSize = 16
            let header = FrameHeader(typeID: TestTypes.bench, length: UInt32(payloadSize))
            var frames = [UInt8](repeating: 0, count: frameCount * (FrameHeader.byteCount + payloadSize))
            frames.withUnsafeMutableBytes { bytes in
                for index in 0..<frameCount {
                    let offset = index * (FrameHeader.byteCount + payloadSize)
                    header.write(to: bytes.baseAddress! + offset)
                    bytes.storeBytes(of: UInt64(index), toByteOffset: offset + FrameHeader.byteCount, as: UInt64.self)
                }
            }
            // All but the last frame, then the last one alone: byteCount takes a prefix.
            try await publisher.publish(encodedFrames: frames, byteCount: frames.count - FrameHeader.byteCount - payloadSize)
            try await publisher.publish(
                encodedFrames: Array(frames.suffix(FrameHeader.byteCount + payloadSize)),
                byteCount: FrameHeader.byteCount + payloadSize)
            try await publisher.flush()

            let (received, batches) = try await within(20, "draining \(frameCount) messages") {
                var seen: [UInt64] = []
                var count = 0
                while seen.count < frameCount && count < 1000 {
                    count += 1
                    let handled = try await stream.drain(limit: 64) { typeID, payload in
                        #expect(typeID == TestTypes.bench && payload.count == payloadSize)
                        seen.append(payload.loadUnaligned(as: UInt64.self))
                    }
                    #expect(handled >= 1 && handled <= 64)
                }
                return (seen, count)
            }
            #expect(received == (0..<UInt64(frameCount)).map { $0 }, "every frame once, in order")
            #expect(batches >= frameCount / 64, "no batch above the limit")

            try await subscriber.unsubscribe(stream)
            #expect(try await stream.drain(limit: 64) { _, _ in Issue.record("nothing is left") } == 0, "0 at the end")
            try await publisher.close()
            try await subscriber.close()
            #expect(subscriberPool.stats().inUse == 0, "every drained buffer went back: \(subscriberPool.stats())")
        }
    }
}
