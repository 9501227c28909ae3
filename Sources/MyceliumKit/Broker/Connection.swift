/// One client connection's state, owned by one loop and kept behind a pointer so the
/// per-frame path touches no class properties.
struct Connection: ~Copyable {
    let fd: Int32
    /// A number for messages: `connection #7`.
    let serial: Int
    /// The receive buffer, taken from the pool on the first read.
    var receive: PooledBuffer?
    var receiveBase: UnsafeMutableRawPointer?
    var receiveCapacity = 0
    /// Bytes in the receive buffer not parsed yet (a partial frame, at the front).
    var received = 0
    /// A large frame being read into its own buffer.
    var large: PooledBuffer?
    var largeBase: UnsafeMutableRawPointer?
    var largeHeader = FrameHeader(typeID: 0, length: 0)
    var largeFilled = 0
    /// Bytes of a skipped frame still to discard as they arrive.
    var skipRemaining = 0
    var output = OutputQueue()
    var subscriptions: [UInt16] = []
    var framesSeen = 0
    var isDirty = false
    var wantsWritable = false
    /// Input is discarded and the connection closes once its output is written.
    var isClosing = false
    var isDead = false
    var isPaused = false

    init(fd: Int32, serial: Int) {
        self.fd = fd
        self.serial = serial
    }
}
