import Glibc
import MyceliumKit

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
        for name in DirectoryEntries.names(in: path) ?? [] { unlink(path + "/" + name) }
        rmdir(path)
    }
}
