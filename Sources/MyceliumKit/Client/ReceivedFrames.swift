/// The data frames of one read that some stream receives, as views of the receive buffer,
/// in order: collected while the read is parsed, then handed to each stream at once
/// (``ClientLoop/deliverReceived()``). Loop-owned scratch, grown by doubling and kept.
struct ReceivedFrames: ~Copyable {
    private(set) var frames: UnsafeMutablePointer<MessageBatch.Entry>
    private var capacity: Int
    /// Frames collected.
    private(set) var count = 0
    /// Their wire bytes, headers included.
    private(set) var byteCount = 0
    /// The type of the first frame, and whether another type followed.
    private(set) var firstTypeID: UInt16 = 0
    private(set) var hasMixedTypes = false

    init() {
        capacity = 256
        frames = .allocate(capacity: capacity)
    }

    deinit {
        frames.deallocate()
    }

    /// Adds a frame whose payload is `base[0..<count]`.
    @inline(__always)
    mutating func append(typeID: UInt16, base: UnsafeRawPointer, count payloadCount: Int) {
        if count == capacity { grow() }
        frames[count] = MessageBatch.Entry(base: base, count: UInt32(payloadCount), typeID: typeID)
        if count == 0 {
            firstTypeID = typeID
        } else if typeID != firstTypeID {
            hasMixedTypes = true
        }
        count += 1
        byteCount += FrameHeader.byteCount + payloadCount
    }

    /// The frames collected.
    var all: UnsafeBufferPointer<MessageBatch.Entry> { UnsafeBufferPointer(start: frames, count: count) }

    /// Forgets the frames (keeping the storage).
    mutating func removeAll() {
        count = 0
        byteCount = 0
        hasMixedTypes = false
    }

    private mutating func grow() {
        let grown = UnsafeMutablePointer<MessageBatch.Entry>.allocate(capacity: capacity * 2)
        grown.initialize(from: frames, count: count)
        frames.deallocate()
        frames = grown
        capacity *= 2
    }
}
