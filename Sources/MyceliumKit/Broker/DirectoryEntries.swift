import Glibc

/// The names in a directory, `.` and `..` left out, read with `readdir`.
///
/// Each name is read through a pointer into the entry readdir returned: copying the entry
/// (`entry.pointee`, or its `d_name`) copies a whole `dirent` with its 256-byte name, past
/// the end of a short last entry in readdir's buffer — the heap-buffer-overflow
/// AddressSanitizer reports in Foundation's `Process.run()`, and reported here too.
package enum DirectoryEntries {
    private static let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name).unsafelyUnwrapped

    /// The names in the directory at `path`; `nil` when it cannot be opened.
    package static func names(in path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
