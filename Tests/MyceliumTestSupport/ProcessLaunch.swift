package import Foundation

/// Starts the tests' child processes one at a time, never while a test holds many
/// descriptors open.
///
/// Foundation's `Process.run()` (swift-corelibs-foundation, Swift 6.3.1) reads 256 bytes
/// past the last entry it reads of `/proc/self/fd` (the bug `asan.supp` names). With a
/// couple of thousand descriptors open the listing fills its buffer, and the read can cross
/// into an unmapped page: the test process crashed in `Process.run()` while a test held
/// 2,000 connections. Every `Process.run()` of the tests goes through ``run(_:)``, and a test
/// that opens that many descriptors does it inside ``whileHoldingManyDescriptors(_:)``.
package enum ProcessLaunch {
    private static let lock = NSLock()

    /// Starts `process`; see `Process.run()`.
    package static func run(_ process: Process) throws {
        try lock.withLock { try process.run() }
    }

    /// Runs `body`, which opens many descriptors and closes them before it returns, with no
    /// child process starting meanwhile. Blocks: call it on a thread of its own.
    package static func whileHoldingManyDescriptors<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withLock { try body() }
    }
}
