import Glibc

/// A connected socket's input: one `recv` per read.
struct SocketSource: ByteSource {
    let fd: Int32

    @inline(__always)
    func read(into destination: UnsafeMutableRawPointer, count: Int) -> Int {
        recv(fd, destination, count, 0)
    }
}
