import CEpoll
import Glibc
import Synchronization

/// One thread's `epoll` instance, with an `eventfd` to wake it from other threads.
///
/// Everything registered with a loop is touched only on the loop's thread; other threads
/// reach it through ``execute(_:)`` or by queueing work the handler picks up in
/// ``EventLoopHandler/handleWakeUp()``.
final class EventLoop: @unchecked Sendable {
    /// The token the loop's own wake-up descriptor is registered with.
    static let wakeToken = UInt64.max
    /// Events read per `epoll_wait`.
    private static let batchCapacity: Int32 = 256

    static let readable = EPOLLIN.rawValue
    static let writable = EPOLLOUT.rawValue
    static let hangUp = EPOLLHUP.rawValue | EPOLLERR.rawValue | EPOLLRDHUP.rawValue

    let name: String
    private let epollFD: Int32
    private let wakeFD: Int32
    private let tasks = Lock<[@Sendable () -> Void]>([])

    /// Creates the `epoll` and `eventfd` descriptors.
    init(name: String) throws(EngineError) {
        self.name = name
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw EngineError("epoll_create1 for \(name)", code: errno) }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            let code = errno
            close(epollFD)
            throw EngineError("eventfd for \(name)", code: code)
        }
        var event = epoll_event()
        event.events = Self.readable
        event.data.u64 = Self.wakeToken
        epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
    }

    deinit {
        close(wakeFD)
        close(epollFD)
    }

    /// Watches `fd` for `events`, reporting `token`.
    func register(_ fd: Int32, token: UInt64, events: UInt32) throws(EngineError) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else {
            throw EngineError("epoll_ctl add fd \(fd) on \(name)", code: errno)
        }
    }

    /// Changes what `fd` is watched for.
    func modify(_ fd: Int32, token: UInt64, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    /// Stops watching `fd`.
    func unregister(_ fd: Int32) {
        epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
    }

    /// Runs `task` on the loop's thread, soon.
    func execute(_ task: @escaping @Sendable () -> Void) {
        tasks.withLock { $0.append(task) }
        wakeUp()
    }

    /// Makes the loop call ``EventLoopHandler/handleWakeUp()``.
    func wakeUp() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, MemoryLayout<UInt64>.size)
    }

    private func takeTasks() -> [@Sendable () -> Void] {
        tasks.withLock { queued in
            defer { queued.removeAll() }
            return queued
        }
    }

    /// Runs the tasks queued after the loop ended (connections handed to a stopped loop),
    /// on the calling thread.
    func runPendingTasks() {
        for task in takeTasks() { task() }
    }

    /// Runs the loop on the calling thread until the handler is finished.
    func run(_ handler: some EventLoopHandler) {
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(Self.batchCapacity))
        defer { events.deallocate() }
        while !handler.isFinished {
            guard turn(handler, events: events, timeout: handler.pollTimeout) else { break }
        }
    }

    /// One turn of the loop on the calling thread without waiting: the events ready now, then
    /// the handler's end of batch. What a loop without a thread of its own is driven by
    /// (``Broker/startStepped()``, ``FedClient``); ``run(_:)`` is these turns, waiting.
    func step(_ handler: some EventLoopHandler) {
        withUnsafeTemporaryAllocation(of: epoll_event.self, capacity: Int(Self.batchCapacity)) { events in
            _ = turn(handler, events: events.baseAddress.unsafelyUnwrapped, timeout: 0)
        }
    }

    /// Waits at most `timeout` ms (-1: without limit) for events, hands each to `handler`
    /// (the wake-up descriptor runs the queued tasks and ``EventLoopHandler/handleWakeUp()``),
    /// then calls ``EventLoopHandler/endOfBatch()``. Returns `false` when `epoll_wait` failed
    /// (an interrupted wait is a turn without events or end of batch).
    @inline(__always)
    private func turn(_ handler: some EventLoopHandler, events: UnsafeMutablePointer<epoll_event>, timeout: Int32) -> Bool {
        let count = epoll_wait(epollFD, events, Self.batchCapacity, timeout)
        if count < 0 { return errno == EINTR }
        for index in 0..<Int(count) {
            let token = events[index].data.u64
            if token == Self.wakeToken {
                var value: UInt64 = 0
                _ = read(wakeFD, &value, MemoryLayout<UInt64>.size)
                for task in takeTasks() { task() }
                handler.handleWakeUp()
            } else {
                handler.handleEvent(token: token, events: events[index].events)
            }
        }
        handler.endOfBatch()
        return true
    }
}
