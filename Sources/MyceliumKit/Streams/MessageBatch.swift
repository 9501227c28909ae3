/// Messages in order, each a view of its payload, with the pooled buffers (*chunks*) that
/// hold those payloads: a client's receive buffer from which one read's frames were cut
/// (many messages in one chunk), or a buffer of one message's own.
///
/// A chunk goes back to its pool once none of its messages waits any more and the consumer
/// has moved past the last one (``releaseExhaustedChunk()``): a message being looked at keeps
/// its chunk, however many reads came after it.
///
/// The storage (two arrays, used from a head index) grows by doubling and is kept, so a
/// batch that held n messages holds n again without allocating; it moves between a
/// producer and a consumer by ``exchange(with:)``, without copying a message.
struct MessageBatch: ~Copyable {
    /// One message: where its payload lies (in one of the batch's chunks) and its type id.
    struct Entry {
        let base: UnsafeRawPointer
        let count: UInt32
        let typeID: UInt16
    }

    /// A chunk (`nil` once moved out), where its bytes are, and how many of its messages
    /// have not been taken off yet.
    private struct Chunk: ~Copyable {
        var buffer: SharedBuffer?
        let base: UnsafeRawPointer
        let byteCount: Int
        var remaining: Int

        init(_ buffer: consuming SharedBuffer, messages: Int) {
            base = buffer.baseAddress
            byteCount = buffer.count
            remaining = messages
            self.buffer = consume buffer
        }
    }

    private var entries: UnsafeMutablePointer<Entry>
    private var entryCapacity: Int
    private var entryHead = 0
    private var entryEnd = 0
    private var chunks: UnsafeMutablePointer<Chunk>
    private var chunkCapacity: Int
    private var chunkHead = 0
    private var chunkEnd = 0

    /// An empty batch with room for `capacity` messages before it first grows.
    init(capacity: Int = 64) {
        entryCapacity = max(1, capacity)
        entries = .allocate(capacity: entryCapacity)
        chunkCapacity = max(1, capacity)
        chunks = .allocate(capacity: chunkCapacity)
    }

    deinit {
        (chunks + chunkHead).deinitialize(count: chunkEnd - chunkHead)
        chunks.deallocate()
        entries.deallocate()
    }

    /// Messages not taken off yet.
    var count: Int { entryEnd - entryHead }

    /// Whether no message and no chunk is left.
    var isEmpty: Bool { entryEnd == entryHead && chunkEnd == chunkHead }

    // MARK: Adding

    /// Appends `messages`, whose payloads lie in `chunk`; at least one.
    mutating func append(_ messages: UnsafeBufferPointer<Entry>, in chunk: consuming SharedBuffer) {
        precondition(!messages.isEmpty, "a chunk holds at least one message")
        reserveEntries(messages.count)
        (entries + entryEnd).initialize(from: messages.baseAddress!, count: messages.count)
        entryEnd += messages.count
        appendChunk(Chunk(chunk, messages: messages.count))
    }

    /// Appends one message whose payload is all of `buffer`, of its own.
    mutating func append(typeID: UInt16, _ buffer: consuming SharedBuffer) {
        reserveEntries(1)
        (entries + entryEnd).initialize(to: Entry(base: buffer.baseAddress, count: UInt32(buffer.count), typeID: typeID))
        entryEnd += 1
        appendChunk(Chunk(buffer, messages: 1))
    }

    /// Moves every message and chunk of `other` behind this batch's, leaving `other` empty:
    /// by exchanging storage when this batch is empty, else by copying the message views.
    mutating func append(contentsOf other: inout MessageBatch) {
        if isEmpty {
            exchange(with: &other)
            return
        }
        let moved = other.count
        reserveEntries(moved)
        (entries + entryEnd).initialize(from: other.entries + other.entryHead, count: moved)
        entryEnd += moved
        let movedChunks = other.chunkEnd - other.chunkHead
        reserveChunks(movedChunks)
        (chunks + chunkEnd).moveInitialize(from: other.chunks + other.chunkHead, count: movedChunks)
        chunkEnd += movedChunks
        other.entryHead = 0
        other.entryEnd = 0
        other.chunkHead = 0
        other.chunkEnd = 0
    }

    /// Swaps contents and storage with `other`.
    mutating func exchange(with other: inout MessageBatch) {
        swap(&entries, &other.entries)
        swap(&entryCapacity, &other.entryCapacity)
        swap(&entryHead, &other.entryHead)
        swap(&entryEnd, &other.entryEnd)
        swap(&chunks, &other.chunks)
        swap(&chunkCapacity, &other.chunkCapacity)
        swap(&chunkHead, &other.chunkHead)
        swap(&chunkEnd, &other.chunkEnd)
    }

    // MARK: Taking off

    /// Takes the oldest message off; its chunk stays until ``releaseExhaustedChunk()``.
    mutating func removeFirst() -> Entry {
        assert(chunks[chunkHead].remaining > 0, "the exhausted chunk goes back first")
        let entry = entries[entryHead]
        entryHead += 1
        chunks[chunkHead].remaining -= 1
        return entry
    }

    /// Whether the oldest chunk has no message left to take off: the one taken last was its
    /// last (or a producer dropped them all).
    var firstChunkIsExhausted: Bool { chunkHead < chunkEnd && chunks[chunkHead].remaining == 0 }

    /// Returns the oldest chunk to its pool when no message of it is left to take off.
    mutating func releaseExhaustedChunk() {
        guard firstChunkIsExhausted else { return }
        (chunks + chunkHead).deinitialize(count: 1)
        chunkHead += 1
        if chunkHead == chunkEnd && entryHead == entryEnd {
            chunkHead = 0
            chunkEnd = 0
            entryHead = 0
            entryEnd = 0
        }
    }

    /// Drops the oldest message, and its chunk when that was the chunk's last.
    mutating func dropFirst() {
        _ = removeFirst()
        releaseExhaustedChunk()
    }

    /// The oldest chunk's buffer when it holds exactly the message `base[0..<count]` (a
    /// message with a buffer of its own), moved out; `nil` when it holds more, or was moved
    /// out already.
    mutating func takeFirstChunk(holdingOnly base: UnsafeRawPointer, count: Int) -> SharedBuffer? {
        guard chunkHead < chunkEnd, chunks[chunkHead].base == base, chunks[chunkHead].byteCount == count else { return nil }
        return chunks[chunkHead].buffer.take()
    }

    /// Drops every message and returns every chunk to its pool.
    mutating func releaseAll() {
        (chunks + chunkHead).deinitialize(count: chunkEnd - chunkHead)
        chunkHead = 0
        chunkEnd = 0
        entryHead = 0
        entryEnd = 0
    }

    // MARK: Storage

    private mutating func appendChunk(_ chunk: consuming Chunk) {
        reserveChunks(1)
        (chunks + chunkEnd).initialize(to: chunk)
        chunkEnd += 1
    }

    private mutating func reserveEntries(_ more: Int) {
        Self.reserve(more, in: &entries, capacity: &entryCapacity, head: &entryHead, end: &entryEnd)
    }

    private mutating func reserveChunks(_ more: Int) {
        Self.reserve(more, in: &chunks, capacity: &chunkCapacity, head: &chunkHead, end: &chunkEnd)
    }

    /// Makes room for `more` elements after `storage[head..<end]`: moves the live ones to the
    /// front (the regions may overlap), or doubles the storage.
    private static func reserve<Element: ~Copyable>(
        _ more: Int, in storage: inout UnsafeMutablePointer<Element>, capacity: inout Int, head: inout Int,
        end: inout Int
    ) {
        guard end + more > capacity else { return }
        let live = end - head
        if live + more <= capacity {
            storage.moveInitialize(from: storage + head, count: live)
        } else {
            var grownCapacity = capacity * 2
            while grownCapacity < live + more { grownCapacity *= 2 }
            let grown = UnsafeMutablePointer<Element>.allocate(capacity: grownCapacity)
            grown.moveInitialize(from: storage + head, count: live)
            storage.deallocate()
            storage = grown
            capacity = grownCapacity
        }
        head = 0
        end = live
    }
}
