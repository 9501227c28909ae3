import Glibc

/// A connected socket's input: one `recv` per read, one `readv` per two-part read.
struct SocketSource: ByteSource {
    let fd: Int32

    @inline(__always)
    func read(into destination: UnsafeMutableRawPointer, count: Int) -> Int {
        recv(fd, destination, count, 0)
    }

    @inline(__always)
    func read(
        into destination: UnsafeMutableRawPointer, count: Int, then spill: UnsafeMutableRawPointer, count spillCount: Int
    ) -> Int {
        var vectors = (iovec(iov_base: destination, iov_len: count), iovec(iov_base: spill, iov_len: spillCount))
        return withUnsafeMutablePointer(to: &vectors) {
            $0.withMemoryRebound(to: iovec.self, capacity: 2) { readv(fd, $0, 2) }
        }
    }
}
