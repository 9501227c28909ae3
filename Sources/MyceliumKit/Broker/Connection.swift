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
    /// The receive buffer, a large frame being read into its own buffer, a frame skipped.
    var input = FrameReceiver()
    var output = OutputQueue()
    var subscriptions: [UInt16] = []
    var framesSeen = 0
    var isDirty = false
    var wantsWritable = false
    /// Input is discarded and the connection closes once its output is written.
    var isClosing = false
    var isDead = false
    var isPaused = false

    init(fd: Int32, serial: Int, publishPermits: UnsafePointer<UInt8>?) {
        self.fd = fd
        self.serial = serial
        self.publishPermits = publishPermits
    }
}
