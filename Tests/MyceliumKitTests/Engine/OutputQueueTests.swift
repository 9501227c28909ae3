import Glibc
import MyceliumBackends
import Testing

@testable import MyceliumKit

/// A connection's output queue writing to a real socket pair: copied frames, runs queued by
/// reference (in part already written), and every buffer back in its pool at the end.
@Suite struct OutputQueueTests {
    /// `count` frames of type 1001 with `payloadSize`-byte payloads, each payload filled with
    /// its frame's index.
    private static func frames(count: Int, payloadSize: Int) -> [UInt8] {
        (0..<count).flatMap { index -> [UInt8] in
            var frame = [UInt8](repeating: UInt8(index & 0xFF), count: FrameHeader.byteCount + payloadSize)
            frame.withUnsafeMutableBytes { FrameHeader(typeID: 1001, length: UInt32(payloadSize)).write(to: $0.baseAddress!) }
            return frame
        }
    }

    /// A buffer of `pool` holding `bytes`.
    private static func chunk(_ bytes: [UInt8], from pool: SystemPool) throws -> PooledBuffer {
        var buffer = try pool.acquire(byteCount: bytes.count)
        buffer.append(contentsOf: bytes)
        return buffer
    }

    /// A socket pair: a queue is flushed into one end, what arrived is read from the other.
    private final class Pair {
        private var fds: [Int32] = [-1, -1]
        private let vectors = UnsafeMutablePointer<iovec>.allocate(capacity: 16)

        init() {
            #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds) == 0)
        }

        deinit {
            for fd in fds { close(fd) }
            vectors.deallocate()
        }

        /// Flushes `queue` once: a socket pair takes these tests' few hundred bytes whole.
        func flush(_ queue: inout OutputQueue, sourceLocation: SourceLocation = #_sourceLocation) {
            let pending = queue.pendingBytes
            guard case .drained = queue.flush(to: fds[0], vectors: vectors, vectorCount: 16) else {
                Issue.record("\(pending) bytes were not written at once", sourceLocation: sourceLocation)
                return
            }
        }

        /// What arrived since the last call.
        func received() -> [UInt8] {
            var received: [UInt8] = []
            var scratch = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = recv(fds[1], &scratch, scratch.count, Int32(MSG_DONTWAIT))
                guard count > 0 else { return received }
                received += scratch[..<count]
            }
        }
    }

    /// A queue, its pool and a socket pair for `body`; every buffer must be back in the pool
    /// once the queue is released.
    private static func withQueue(_ body: (inout OutputQueue, SystemPool, Pair) throws -> Void) throws {
        let pool = SystemPool(configuration: PoolConfiguration(plan: SizeClassPlan(classes: [.init(size: 4096, capacity: 8)])))
        var queue = OutputQueue()
        defer {
            queue.releaseAll()
            #expect(pool.stats().inUse == 0, "every chunk is back: \(pool.stats())")
        }
        try body(&queue, pool, Pair())
    }

    @Test func aRunWrittenInPartIsSentFromWhereTheWriteStopped() throws {
        let run = Self.frames(count: 5, payloadSize: 40)
        try Self.withQueue { queue, pool, pair in
            queue.appendChunk(try Self.chunk(run, from: pool), sent: 17)
            #expect(queue.pendingBytes == run.count - 17)
            pair.flush(&queue)
            #expect(pair.received() == Array(run[17...]), "the rest of the run, from byte 17 of its first frame")
            #expect(queue.pendingBytes == 0)
        }
    }

    @Test func aRunWrittenInPartReplacesTheEmptiedChunkAQueueKeeps() throws {
        let first = Self.frames(count: 3, payloadSize: 10)
        let run = Self.frames(count: 4, payloadSize: 30)
        try Self.withQueue { queue, pool, pair in
            try first.withUnsafeBytes {
                try queue.appendFrames($0.baseAddress!, byteCount: first.count, frameSize: 0, chunkSize: 4096, pool: pool)
            }
            pair.flush(&queue)
            #expect(pair.received() == first)
            #expect(queue.count == 1 && pool.stats().inUse == 1, "a drained queue keeps its emptied chunk")

            queue.appendChunk(try Self.chunk(run, from: pool), sent: 50)
            #expect(queue.count == 1 && pool.stats().inUse == 1, "the emptied chunk went back for the run")
            pair.flush(&queue)
            #expect(pair.received() == Array(run[50...]))
        }
    }

    @Test(arguments: [46, 0])
    func aRunLargerThanAChunkIsSplitBetweenFrames(frameSize: Int) throws {
        // 100 frames of 46 bytes: 89 fill a 4,096-byte chunk to 4,094 bytes, 11 go into a second.
        let run = Self.frames(count: 100, payloadSize: 40)
        let small = Self.frames(count: 1, payloadSize: 4000)
        try Self.withQueue { queue, pool, pair in
            try run.withUnsafeBytes {
                try queue.appendFrames(
                    $0.baseAddress!, byteCount: run.count, frameSize: frameSize, chunkSize: 4096, pool: pool)
            }
            #expect(queue.count == 2, "89 frames in the first chunk, 11 in the second")
            #expect(queue.dropOldest(toFit: 1, limit: run.count) == 89, "the first chunk ends after frame 89")
            // 506 bytes are used in the second chunk: a 4,006-byte frame does not fit behind them.
            try small.withUnsafeBytes {
                try queue.appendFrames(
                    $0.baseAddress!, byteCount: small.count, frameSize: small.count, chunkSize: 4096, pool: pool)
            }
            #expect(queue.count == 2, "a frame larger than the room left takes a chunk of its own")
            #expect(queue.pendingBytes == run.count - 4094 + small.count)
            pair.flush(&queue)
            #expect(pair.received() == Array(run[4094...]) + small)
        }
    }

    @Test func framesQueuedBehindARunByReferenceFollowItInOrder() throws {
        let before = Self.frames(count: 2, payloadSize: 20)
        let run = Self.frames(count: 3, payloadSize: 100)
        let after = Self.frames(count: 2, payloadSize: 8)
        try Self.withQueue { queue, pool, pair in
            try before.withUnsafeBytes {
                try queue.appendFrames($0.baseAddress!, byteCount: before.count, frameSize: 0, chunkSize: 4096, pool: pool)
            }
            queue.appendChunk(try Self.chunk(run, from: pool), sent: 0)
            try after.withUnsafeBytes {
                try queue.appendFrames($0.baseAddress!, byteCount: after.count, frameSize: 0, chunkSize: 4096, pool: pool)
            }
            #expect(queue.count == 2, "later frames are copied into the room behind the run's frames")
            #expect(queue.pendingBytes == before.count + run.count + after.count)
            pair.flush(&queue)
            #expect(pair.received() == before + run + after)
        }
    }
}
