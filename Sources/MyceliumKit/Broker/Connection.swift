/// One client connection's state, owned by one loop and kept behind a pointer so the
/// per-frame path touches no class properties.
struct Connection: ~Copyable {
    let fd: Int32
    /// A number for messages: `connection #7`.
    let serial: Int
    /// The peer name its HELLO gave, for log lines.
    var peerName: String?
    /// With access control: one byte per dense type index, non-zero when the connection may
    /// publish that type (all zero until a HELLO with a valid token). `nil` without it.
    var publishPermits: UnsafePointer<UInt8>?
    /// The same for SUBSCRIBE; `nil` until authorized, and without access control.
    var subscribePermits: UnsafePointer<UInt8>?
    /// The index of the ``Authorization`` user its token matched.
    var user: Int?
    /// A partial frame carried between reads (whole frames are parsed in the loop's receive
    /// buffer), a large frame being read into its own buffer, a frame skipped.
    /// Nothing while idle.
    var input = FrameReceiver()
    /// Queued output; its chunks go back to the pool once written.
    var output = OutputQueue()
    var subscriptions: [UInt16] = []
    var framesSeen = 0
    var isDirty = false
    var wantsWritable = false
    /// Input is discarded and the connection closes once its output is written.
    var isClosing = false
    var isDead = false
    var isPaused = false
    /// Why it is closing, for the closed-connection counts; set by ``BrokerLoop/closeWith(_:_:)``.
    var closeReason = CloseReason.peer

    enum CloseReason {
        case peer, protocolError, slowConsumer, shutdown
    }
    /// Accepted on a TCP listener (else a Unix socket).
    let isTCP: Bool
    /// When it was accepted and when it last read or wrote (``BrokerLoop/coarseNow()``
    /// nanoseconds): read once per `recv` and per flush, never per frame.
    let openedAt: UInt64
    var lastActive: UInt64
    /// Its own counts, for CONNECTIONS: what it published and was sent, what it lost.
    var messagesIn = 0
    var bytesIn = 0
    var messagesOut = 0
    var bytesOut = 0
    var dropped = 0
    /// ERROR replies logged for it so far (``BrokerLoop/loggedErrorsPerConnection`` at most).
    var errorsLogged = 0

    init(fd: Int32, serial: Int, publishPermits: UnsafePointer<UInt8>?, isTCP: Bool, now: UInt64) {
        self.fd = fd
        self.serial = serial
        self.publishPermits = publishPermits
        self.isTCP = isTCP
        openedAt = now
        lastActive = now
    }
}
