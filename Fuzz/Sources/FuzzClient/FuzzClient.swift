import FuzzSupport
@_spi(Fuzzing) import MyceliumKit
import Synchronization

/// The pool every input's client takes its buffers from (a client's default kind), checked
/// empty after each input; a frame the harness announces above 64 KiB finds it out of memory.
private let pool = CappedPool(plan: SizeClassPlan(classes: []), limit: 64 << 10)
private let subscribed: [UInt16] = [1001, 1002, 1003]
/// The smallest receive buffer a client takes (8 KiB), so that short inputs reach a frame
/// larger than it (read into a buffer of its own) and a full one.
private let options = {
    var options = MyceliumClient.Options()
    options.bufferSize = 8 << 10
    return options
}()
/// Runs the task consuming each input's stream on the fuzzer's thread.
private let executor = InlineTaskExecutor()
/// Inputs whose stream's consumer has seen the end.
private let consumed = Atomic(0)
private let brokerHello = ControlFrame.hello(Hello(peerName: "fuzz-broker")).encoded()

/// One input: its first byte sets the length of the pieces the rest is fed in (1-255 bytes,
/// each piece one read of the client's socket, so that frames straddle its reads
/// everywhere); the rest is what the broker sends after it answered the client's HELLO,
/// with the client subscribed to 1001-1003 and a task consuming that stream (on this
/// thread, between reads: ``InlineTaskExecutor``). Then the input ends, as when the broker
/// closes the connection.
///
/// The client is a ``FedClient``: a client's own loop and read path, fed from memory on this
/// thread. It must not crash, must end its connection at the end of the input (or earlier,
/// for what it refuses), must end its stream (normally or with an error), and must give
/// back every buffer of its pool.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClient(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let consumedBefore = consumed.load(ordering: .relaxed)
    do {
        let client: FedClient
        do {
            client = try FedClient(subscribingTo: subscribed, pool: pool, options: options)
        } catch {
            preconditionFailure("no client: \(error)")
        }
        let stream = client.stream
        Task(executorPreference: executor) {
            do {
                for try await _ in stream {}
            } catch {
                // Whatever the bytes were, the stream ends; an error is one way.
            }
            consumed.add(1, ordering: .relaxed)
        }
        brokerHello.withUnsafeBytes { feedAll(client, $0, ended: false) }
        let piece = max(1, Int(data[0]))
        var offset = 1
        while offset < size && !client.isClosed {
            let count = min(piece, size - offset)
            feedAll(client, UnsafeRawBufferPointer(start: data + offset, count: count), ended: false)
            offset += count
        }
        feedAll(client, UnsafeRawBufferPointer(start: nil, count: 0), ended: true)
        precondition(client.isClosed, "the client kept its connection after its input ended")
        executor.runJobs()
        precondition(
            consumed.load(ordering: .relaxed) == consumedBefore + 1, "the client's stream did not end with its connection")
    }
    let inUse = pool.stats().inUse
    precondition(inUse == 0, "\(inUse) buffers of the client's pool still out after it closed")
    return 0
}

/// Feeds all of `bytes` (then the end, when `ended`) unless the connection ends first;
/// the consumer takes what each read delivered; while the stream has paused reading, the
/// loop steps to run the consumer's request to resume.
private func feedAll(_ client: FedClient, _ bytes: UnsafeRawBufferPointer, ended: Bool) {
    var rest = bytes
    while !client.isClosed {
        rest = UnsafeRawBufferPointer(rebasing: rest[client.feed(rest, ended: ended)...])
        executor.runJobs()
        guard client.isReadingPaused else { return }
        // The consumer has caught up: the loop runs its request to read again.
        client.step()
        precondition(!client.isReadingPaused, "the stream's consumer took its messages and reading stayed paused")
    }
}
