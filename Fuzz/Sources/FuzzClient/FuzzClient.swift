import Dispatch
import FuzzSupport
import Glibc
import MyceliumKit
import Synchronization

/// The harness plays the broker on a Unix socket of its own.
private let listener = RawListener()
private let path = listener.path
private let subscribed: [UInt16] = [1001, 1002, 1003]

/// What the client task saw, for the harness to check.
private final class Outcome: Sendable {
    let finished = DispatchSemaphore(value: 0)
    let problem = Mutex<String?>(nil)
}

/// One input: its first byte sets the length of the pieces the rest is written in (1-255
/// bytes, so frames straddle the client's reads everywhere); the rest is what the broker
/// sends after it answered the client's HELLO and confirmed a subscription. The client must
/// not crash, must end its stream (normally or with an error) once the harness closes the
/// connection, and must give back every buffer of its pool.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClient(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let outcome = Outcome()
    Task {
        defer { outcome.finished.signal() }
        do {
            let client = try await MyceliumClient.connect(to: .unix(path: path), name: "fuzz")
            do {
                let stream = try await client.subscribe(subscribed)
                for try await _ in stream {}
            } catch {
                // Whatever the bytes were, the stream ends; an error is one way.
            }
            try? await client.close(timeout: .seconds(1))
            for _ in 0..<5_000 where client.pool.stats().inUse != 0 { try await Task.sleep(for: .milliseconds(1)) }
            let inUse = client.pool.stats().inUse
            if inUse != 0 { outcome.problem.withLock { $0 = "\(inUse) buffers of the client's pool still out after close" } }
        } catch {
            outcome.problem.withLock { $0 = "the client did not connect to the harness: \(error)" }
        }
    }
    do {
        let peer = listener.accept()
        precondition(peer.readFrame()?.typeID == ControlFrameType.hello.rawValue, "the client did not open with HELLO")
        peer.send(ControlFrame.hello(Hello(peerName: "fuzz-broker")).encoded())
        // subscribe() brackets its SUBSCRIBE with two PINGs; their PONGs confirm it.
        var pongs = 0
        while pongs < 2, let frame = peer.readFrame() {
            if frame.typeID == ControlFrameType.ping.rawValue {
                peer.send(ControlFrame.pong(frame.payload).encoded())
                pongs += 1
            }
        }
        let piece = max(1, Int(data[0]))
        var offset = 1
        while offset < size {
            let count = min(piece, size - offset)
            guard peer.send(UnsafeRawBufferPointer(start: data + offset, count: count)) else { break }
            offset += count
        }
    }
    precondition(outcome.finished.wait(timeout: .now() + 10) == .success, "the client did not finish 10 s after the peer closed")
    if let problem = outcome.problem.withLock({ $0 }) { preconditionFailure(problem) }
    return 0
}
