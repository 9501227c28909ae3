import Glibc

/// Bytes in memory, read as a non-blocking socket's input: what is left, then `EAGAIN`, or
/// the end of the stream once `ended`. What the fuzz targets feed a broker's connection
/// (``FedConnection``) or a client (``FedClient``) with.
struct MemorySource: ByteSource {
    private var bytes: UnsafeRawBufferPointer
    private let ended: Bool

    /// `bytes` (valid while reading), then the end of the stream when `ended`.
    init(_ bytes: UnsafeRawBufferPointer, ended: Bool) {
        self.bytes = bytes
        self.ended = ended
    }

    /// The bytes not read yet.
    var count: Int { bytes.count }

    mutating func read(into destination: UnsafeMutableRawPointer, count: Int) -> Int {
        guard !bytes.isEmpty else {
            if ended { return 0 }
            errno = EAGAIN
            return -1
        }
        let taken = min(count, bytes.count)
        guard taken > 0 else { return 0 }
        destination.copyMemory(from: bytes.baseAddress.unsafelyUnwrapped, byteCount: taken)
        bytes = UnsafeRawBufferPointer(rebasing: bytes[taken...])
        return taken
    }

    mutating func read(
        into destination: UnsafeMutableRawPointer, count: Int, then spill: UnsafeMutableRawPointer, count spillCount: Int
    ) -> Int {
        let first = read(into: destination, count: count)
        guard first == count, !bytes.isEmpty else { return first }
        return first + read(into: spill, count: spillCount)
    }
}
