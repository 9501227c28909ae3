import MyceliumCore
import Testing

@Suite("PooledBuffer and SharedBuffer")
struct PooledBufferTests {
    @Test func droppedBufferIsReturnedOnceWithItsUsedByteCount() throws {
        let pool = TestHeapPool()
        var address: UInt = 0
        do {
            var buffer = try pool.acquire(byteCount: 100)
            address = UInt(bitPattern: buffer.baseAddress)
            buffer.append(contentsOf: [1, 2, 3, 4, 5])
            buffer.count = 2
            #expect(buffer.copyBytes() == [1, 2])
            #expect(pool.deallocations.withLock { $0.isEmpty })
        }
        let returned = pool.deallocations.withLock { $0 }
        #expect(returned.count == 1)
        #expect(returned.first?.address == address)
        #expect(returned.first?.usedByteCount == 5)
    }

    @Test func bufferMovedThroughConsumingParameterIsReturnedOnce() throws {
        let pool = TestHeapPool()
        func hand(_ buffer: consuming PooledBuffer) -> Int { buffer.capacity }
        let capacity = hand(try pool.acquire(byteCount: 50))
        #expect(capacity >= 50)
        #expect(pool.deallocations.withLock { $0.count } == 1)
    }

    @Test func sharedBufferIsReturnedWhenItsLastHolderDrops() throws {
        let pool = TestHeapPool()
        var buffer = try pool.acquire(byteCount: 100)
        buffer.append(contentsOf: [9, 8, 7])
        let first = buffer.share()
        var second: SharedBuffer? = first.share()
        #expect(first.holderCount() == 2)
        #expect(second?.copyBytes() == [9, 8, 7])
        second = nil
        #expect(first.holderCount() == 1)
        #expect(pool.deallocations.withLock { $0.isEmpty })
        _ = consume first
        #expect(pool.deallocations.withLock { $0.map(\.usedByteCount) } == [3])
    }

    @Test func invalidSizeIsATypedErrorWithAMessage() {
        let pool = TestHeapPool()
        #expect(throws: PoolError.invalidSize(-1)) { _ = try pool.acquire(byteCount: -1) }
        #expect(PoolError.invalidSize(-1).description == "cannot acquire a buffer of -1 bytes: ask for at least 1 byte")
    }
}
