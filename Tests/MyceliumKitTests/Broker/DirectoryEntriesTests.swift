import Glibc
import MyceliumKit
import MyceliumTestSupport
import Testing

@Suite struct DirectoryEntriesTests {
    @Test func listsEveryNameButTheDotsAndNilForAMissingDirectory() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // Names of every length up to the maximum, so the last entry of readdir's buffer is a
        // short one as often as a long one (reading past it is what ASan caught).
        let names = (1...40).map { String(repeating: "n", count: $0 * 6) }
        for name in names {
            let fd = open(directory.path + "/" + name, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
            try #require(fd >= 0)
            close(fd)
        }
        #expect(DirectoryEntries.names(in: directory.path)?.sorted() == names.sorted())
        #expect(DirectoryEntries.names(in: directory.path + "/absent") == nil)
    }
}
