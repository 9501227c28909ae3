import Glibc

/// Writes `text` and a newline to stderr (unbuffered, so it is out before an `exit`).
func printError(_ text: String) {
    let line = Array((text + "\n").utf8)
    line.withUnsafeBytes { bytes in
        var written = 0
        while written < bytes.count {
            let result = write(STDERR_FILENO, bytes.baseAddress! + written, bytes.count - written)
            guard result > 0 else { return }
            written += result
        }
    }
}
