/// What an ``EventLoop`` drives: it gets every ready descriptor's token, a call when the
/// loop is woken from another thread, and a call after each batch of events (where output
/// is flushed, once per batch).
protocol EventLoopHandler: AnyObject {
    /// Milliseconds `epoll_wait` may block; -1 for no limit.
    var pollTimeout: Int32 { get }
    /// Whether the loop should return.
    var isFinished: Bool { get }
    /// A registered descriptor is ready; `events` is the `epoll` event mask.
    func handleEvent(token: UInt64, events: UInt32)
    /// Another thread called ``EventLoop/wakeUp()``; queued tasks have run.
    func handleWakeUp()
    /// Every event of one `epoll_wait` has been handled.
    func endOfBatch()
}
