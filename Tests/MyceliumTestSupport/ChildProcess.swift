import Glibc
import MyceliumKit

/// A child process for tests, started with `posix_spawn` and connected by pipes: its stdin
/// (open until ``closeInput()``), its stdout and its stderr, each read by the test.
///
/// Not Foundation's `Process`: `Process.run()` reads past the end of `/proc/self/fd` entries
/// (AddressSanitizer reports it), which crashed the test process now and then, and
/// every launch is one more chance.
package final class ChildProcess: @unchecked Sendable {
    /// How a child ended.
    package enum Termination: Equatable, Sendable {
        /// It exited with this status.
        case exited(Int32)
        /// This signal ended it.
        case signaled(Int32)
    }

    /// The child's process id.
    package let pid: Int32
    /// The write end of the child's stdin (-1 once closed).
    private let input: Lock<Int32>
    /// The read ends of the child's stdout and stderr, or -1 when they go to /dev/null.
    package let outputFD: Int32
    package let errorFD: Int32
    private let ended = Lock<Termination?>(nil)

    /// Where a child's stdout and stderr go.
    package enum Output: Sendable {
        /// Two pipes, read through ``outputFD`` and ``errorFD``.
        case pipes
        /// Both appended to this file.
        case file(String)
        /// /dev/null.
        case discarded
    }

    /// Starts `executable` (a path, or a name looked up in `PATH` when it has no `/`) with
    /// `arguments` in `directory`, with `environment` as its whole environment, its output
    /// going where `output` says.
    ///
    /// - Throws: ``TimedOut`` naming the call that failed (a pipe, the spawn).
    package init(
        _ executable: String, _ arguments: [String], directory: String? = nil, environment: [String: String],
        output: Output = .pipes
    ) throws {
        _ = Self.ignoreBrokenPipes
        // From pipe() to FD_CLOEXEC the new descriptors would be inherited by a child spawned
        // meanwhile, which would hold them open: children of this type start one at a time.
        let started = try Self.spawning.withLock { _ in
            try Self.spawn(executable, arguments, directory: directory, environment: environment, output: output)
        }
        pid = started.pid
        input = Lock(started.input)
        outputFD = started.output
        errorFD = started.error
    }

    private static func spawn(
        _ executable: String, _ arguments: [String], directory: String?, environment: [String: String], output destination: Output
    ) throws -> (pid: Int32, input: Int32, output: Int32, error: Int32) {
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        func makePipe(_ ends: inout [Int32]) throws {
            guard pipe(&ends) == 0 else { throw TimedOut("pipe: \(String(cString: strerror(errno)))") }
            for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        try makePipe(&input)
        if case .pipes = destination {
            try makePipe(&output)
            try makePipe(&errors)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        switch destination {
        case .pipes:
            posix_spawn_file_actions_adddup2(&actions, output[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        case .discarded:
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // env -C changes directory, then runs the program (posix_spawn has no portable chdir).
        let command = directory.map { ["/usr/bin/env", "-C", $0, executable] } ?? [executable]
        var argv: [UnsafeMutablePointer<CChar>?] = (command + arguments).map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let result =
            command[0].contains("/")
            ? posix_spawn(&pid, command[0], &actions, nil, &argv, &envp)
            : posix_spawnp(&pid, command[0], &actions, nil, &argv, &envp)
        // The child has its copies; the parent keeps only its own ends.
        for fd in [input[0], output[1], errors[1]] where fd >= 0 { close(fd) }
        guard result == 0 else {
            for fd in [input[1], output[0], errors[0]] where fd >= 0 { close(fd) }
            throw TimedOut("posix_spawn \(executable): \(String(cString: strerror(result)))")
        }
        return (pid, input[1], output[0], errors[0])
    }

    deinit {
        if termination == nil {
            kill(pid, SIGKILL)
            _ = waitForExit()
        }
        closeInput()
        for fd in [outputFD, errorFD] where fd >= 0 { close(fd) }
    }

    /// How the child ended, or `nil` while it runs (reaped without blocking).
    package var termination: Termination? {
        ended.withLock { ended in
            if ended == nil {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { ended = Self.termination(status) }
            }
            return ended
        }
    }

    /// Whether the child still runs.
    package var isRunning: Bool { termination == nil }

    /// Blocks until the child ends and returns how; call it only on a thread of its own.
    @discardableResult
    package func waitForExit() -> Termination {
        if let known = termination { return known }
        var status: Int32 = 0
        var reaped: pid_t
        repeat { reaped = waitpid(pid, &status, 0) } while reaped < 0 && errno == EINTR
        return ended.withLock { ended in
            if ended == nil { ended = reaped == pid ? Self.termination(status) : .signaled(SIGKILL) }
            return ended ?? .signaled(SIGKILL)
        }
    }

    /// Sends `signal` to the child, unless it was already reaped (its pid may be reused).
    package func send(_ signal: Int32) {
        if termination == nil { kill(pid, signal) }
    }

    /// Writes `bytes` to the child's stdin; `false` when the child no longer reads it.
    @discardableResult
    package func write(_ bytes: [UInt8]) -> Bool {
        let fd = input.withLock { $0 }
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }

    /// Closes the child's stdin: it reads end of file.
    package func closeInput() {
        input.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    /// Reads `fd` until end of file, calling `body` with each chunk; blocks, so call it on a
    /// thread of its own.
    package static func readToEnd(_ fd: Int32, _ body: ([UInt8]) -> Void) {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            body(Array(chunk[..<count]))
        }
    }

    private static let spawning = Lock(())

    /// A child that exits before reading its stdin must fail the write, not kill the tests.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    private static func termination(_ status: Int32) -> Termination {
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as macros.
        status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
    }
}
