import Dispatch
import FuzzSupport
import Glibc
@_spi(Fuzzing) import MyceliumKit

/// The pool every input's client takes its buffers from (a client's default kind), checked
/// empty after each input.
private let pool = SystemPool(configuration: PoolConfiguration(plan: SizeClassPlan(classes: [])))
private let subscribed: [UInt16] = [1001, 1002, 1003]
/// The smallest receive buffer a client takes (8 KiB), so that short inputs reach a frame
/// larger than it (read into a buffer of its own) and a full one.
private let options = {
    var options = MyceliumClient.Options()
    options.bufferSize = 8 << 10
    return options
}()
private let brokerHello = ControlFrame.hello(Hello(peerName: "fuzz-broker")).encoded()

/// One input: its first byte sets the length of the pieces the rest is fed in (1-255 bytes,
/// each piece one read of the client's socket, so that frames straddle its reads
/// everywhere); the rest is what the broker sends after it answered the client's HELLO,
/// with the client subscribed to 1001-1003 and a task consuming that stream. Then the
/// input ends, as when the broker closes the connection.
///
/// The client is a ``FedClient``: a client's own loop and read path, fed from memory on this
/// thread. It must not crash, must end its connection at the end of the input (or earlier,
/// for what it refuses), must end its stream (normally or with an error), and must give
/// back every buffer of its pool.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClient(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let consumed = DispatchSemaphore(value: 0)
    do {
        let client: FedClient
        do {
            client = try FedClient(subscribingTo: subscribed, pool: pool, options: options)
        } catch {
            preconditionFailure("no client: \(error)")
        }
        let stream = client.stream
        Task {
            defer { consumed.signal() }
            do {
                for try await _ in stream {}
            } catch {
                // Whatever the bytes were, the stream ends; an error is one way.
            }
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
        precondition(
            consumed.wait(timeout: .now() + .seconds(SteppedIO.deadlineSeconds)) == .success,
            "the client's stream did not end 5 s after its connection")
    }
    // The consumer task may still hold its last messages for a moment after it signalled.
    for _ in 0..<5_000 where pool.stats().inUse != 0 { usleep(1000) }
    let inUse = pool.stats().inUse
    precondition(inUse == 0, "\(inUse) buffers of the client's pool still out after it closed")
    return 0
}

/// Feeds all of `bytes` (then the end, when `ended`) unless the connection ends first;
/// while the stream has paused reading, steps the loop until its consumer resumed it.
private func feedAll(_ client: FedClient, _ bytes: UnsafeRawBufferPointer, ended: Bool) {
    var rest = bytes
    while !client.isClosed {
        rest = UnsafeRawBufferPointer(rebasing: rest[client.feed(rest, ended: ended)...])
        guard client.isReadingPaused else { return }
        precondition(
            SteppedIO.stepUntil({ !client.isReadingPaused }, stepping: client.step),
            "the stream's consumer did not resume reading within 5 s")
    }
}
