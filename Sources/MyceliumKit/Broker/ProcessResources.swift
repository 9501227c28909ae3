import Glibc

/// The process's own resource figures, read from `/proc` when asked (a scrape), never kept.
enum ProcessResources {
    /// Resident memory in bytes: the second field of `/proc/self/statm`, in pages; 0 when
    /// it cannot be read.
    static func residentMemoryBytes() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let text = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buffer in
            let count = read(fd, buffer.baseAddress, buffer.count)
            return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : ""
        }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * sysconf(Int32(_SC_PAGESIZE))
    }

    /// Open file descriptors: the entries of `/proc/self/fd`, less the one that lists them;
    /// 0 when it cannot be read.
    static func openFileDescriptors() -> Int {
        guard let names = DirectoryEntries.names(in: "/proc/self/fd") else { return 0 }
        return names.count - 1
    }
}
