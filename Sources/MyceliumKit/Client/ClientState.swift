import Glibc

/// A client loop's mutable state, behind a pointer: touched on the loop's thread only.
struct ClientState: ~Copyable {
    enum Phase {
        /// The non-blocking connect is in progress.
        case connecting
        /// HELLO sent; waiting for the broker's.
        case greeting
        case open
        /// The connection is gone (lost or closed); the loop still runs until shut down.
        case closed
    }

    var phase = Phase.connecting
    var fd: Int32 = -1
    var isRegistered = false
    var wantsWritable = false
    /// Streams that asked the loop to stop reading until their consumer catches up.
    var readPauses = 0
    /// Consumers waiting on streams that this read delivered to, woken once the read's
    /// frames are all queued (one wake per read, not per frame).
    var wakes: [UnsafeContinuation<Void, Never>] = []
    var finished = false
    var failure: MyceliumClientError?

    /// The receive buffer, a data frame being read into its own buffer, a frame nobody
    /// subscribes to being skipped.
    var input = FrameReceiver()

    /// Output the loop writes: publishes taken from the outbox, and its own control frames.
    var sending = OutputQueue()
    let vectors: UnsafeMutablePointer<iovec>

    var connectContinuation: CheckedContinuation<Void, any Error>?
    var roundTrips: [UInt64: PendingRoundTrip] = [:]
    /// STATS and CONNECTIONS requests in the order sent, each with the type of its reply
    /// (the broker answers each kind in order); one given up on has no continuation.
    var documentRequests: [(token: UInt64, reply: ControlFrameType, continuation: CheckedContinuation<String, any Error>?)] = []
    /// When each request with a timeout is given up on, and the earliest of them (or an
    /// earlier time: it is recomputed when it passes).
    var deadlines: [UInt64: Deadline] = [:]
    var earliestDeadline: ContinuousClock.Instant?
    /// How many frames had been published when each PING still unanswered was sent, in
    /// order: the broker answers PINGs in order, after handling what came before them.
    var pingMarks: [UInt64] = []
    /// Frames published up to the last ``ClientLoop/takeOutbox()``.
    var taken: UInt64 = 0
    /// Frames published before the last PING that came back: the broker handled them.
    var confirmed: UInt64 = 0
    /// Called once ``MyceliumClient/close(timeout:)`` is done, with what went wrong.
    var closeDone: (@Sendable (MyceliumClientError?) -> Void)?
    /// The token of the request whose error window is open, and the first ERROR in it.
    var window: UInt64?
    var windowError: WireError?
    /// ERROR frames no request claimed, for the next ``MyceliumClient/flush()``.
    var unclaimedErrors: [WireError] = []
    /// An ERROR after which the broker closes the connection (codes 1, 5, 6, 8).
    var closingError: WireError?
    /// The subscriptions (streams and handlers), each with the type ids it receives.
    var routes: [SubscriptionRoute] = []
    /// The type id last looked up in ``routes``, and whether a stream and whether a handler
    /// receives it.
    var routeCache = ClientState.noRoute
    /// The data frames of the read being parsed that a stream receives, and those of them
    /// one stream receives when the read mixes types.
    var received = ReceivedFrames()
    var selected = ReceivedFrames()
    /// What the loop hands to one stream next.
    var outgoing = MessageBatch()
    /// The receive buffer of the read being parsed once it was handed to a stream as a
    /// shared chunk: the loop's own share, until the next read has a fresh buffer.
    var receiveChunk: SharedBuffer?

    /// A request's time limit; `request` names it in the timeout error.
    struct Deadline {
        let at: ContinuousClock.Instant
        let request: String
        let timeout: Duration
    }

    /// No type id looked up yet (0 is a control type, never looked up).
    static let noRoute: (typeID: UInt16, toStreams: Bool, toHandlers: Bool) = (0, false, false)
    static let vectorCount = 64
    /// The most unreported ERROR frames kept for ``MyceliumClient/flush()``.
    static let unclaimedErrorLimit = 1024

    init() {
        vectors = .allocate(capacity: Self.vectorCount)
    }

    deinit {
        vectors.deallocate()
    }
}
