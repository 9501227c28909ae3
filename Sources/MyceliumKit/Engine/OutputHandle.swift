/// The buffer behind one entry of an ``OutputQueue``: a chunk of copied frames, or one
/// large frame's payload shared with other queues.
enum OutputHandle: ~Copyable {
    /// A pooled chunk holding whole frames back to back.
    case chunk(PooledBuffer)
    /// One frame's payload, queued by reference; its header sits in the entry's slot.
    case shared(SharedBuffer)
}
