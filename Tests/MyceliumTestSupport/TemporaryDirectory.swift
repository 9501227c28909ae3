import Glibc

/// A temporary directory for Unix sockets, removed with its contents by `remove()`.
package struct TemporaryDirectory {
    /// The directory's path.
    package let path: String

    /// Creates a fresh directory under `/tmp` (short, so that socket paths fit).
    package init() {
        var template = Array("/tmp/mycelium-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    /// Removes the files in the directory and the directory.
    package func remove() {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(cString: $0.bindMemory(to: CChar.self).baseAddress!)
                }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}
