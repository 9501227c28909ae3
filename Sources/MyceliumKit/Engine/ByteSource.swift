/// Where a connection's input comes from, read the way `recv` reads: the socket
/// (``SocketSource``) for every broker and client, or memory (``MemorySource``) for the fuzz
/// targets, which feed bytes to the same read and parse code without a socket between.
///
/// The read paths are generic over it and specialized for each source, so that the socket
/// path pays nothing for the choice.
protocol ByteSource {
    /// Reads at most `count` bytes into `destination`, as `recv` does: the bytes read, `0` at
    /// the end of the stream, or `-1` with `errno` set (`EAGAIN`: nothing to read now).
    mutating func read(into destination: UnsafeMutableRawPointer, count: Int) -> Int

    /// Reads at most `count` bytes into `destination`, then, once those are filled, at most
    /// `spillCount` more into `spill`, as `readv` does with two vectors: the bytes read in
    /// all, or what ``read(into:count:)`` returns when nothing was.
    mutating func read(
        into destination: UnsafeMutableRawPointer, count: Int, then spill: UnsafeMutableRawPointer, count spillCount: Int
    ) -> Int
}
