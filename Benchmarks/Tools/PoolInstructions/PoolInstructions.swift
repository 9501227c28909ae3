import Foundation
import MallocInterposerSwift
import PoolWorkload

/// Runs one subject's single-thread loop (acquire, write 64 bytes, release) a given number of
/// times and nothing else, for an instruction count under callgrind: on a VM whose speed
/// moves by 2x in phases, instructions per operation are the steady measure of a change to a
/// pool's hot path. `Scripts/pool-instructions.sh` runs it under callgrind twice per subject
/// (N operations and none) and prints the difference per operation.
///
///     cd Benchmarks && swift run -c release PoolInstructions arena 1000000
@main
enum PoolInstructions {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let subjects = try Subject.all() + [Subject.uncountedMalloc]
        guard arguments.count == 2, let operations = Int(arguments[1]), operations >= 0 else {
            fail("usage: PoolInstructions SUBJECT OPERATIONS (subjects: \(subjects.map(\.name)))")
        }
        guard let subject = subjects.first(where: { $0.name == arguments[0] }) else {
            fail("no subject named '\(arguments[0])'; the subjects are \(subjects.map(\.name))")
        }
        // Counting, as in the suite while it measures (see PoolPairs).
        MallocInterposerSwift.hook()
        // Grows the regions and fills the thread's cache, so the counted loop is the steady state.
        try subject.acquireWriteRelease(10_000, 0)
        try subject.acquireWriteRelease(operations, 0)
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(2)
    }
}
