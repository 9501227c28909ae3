import FuzzSupport
import Glibc
import MyceliumKit

/// Types of three sizes, so that fuzz frames take every delivery path: copied into the
/// subscriber's output (small), read whole in the receive buffer, and read into a buffer of
/// their own and queued by reference (large).
private let types: MessageTypeTable = {
    do {
        return try MessageTypeTable([
            .init(id: 1001, name: "Small", maxPayload: 64),
            .init(id: 1002, name: "Medium", maxPayload: 1024),
            .init(id: 1003, name: "Large", maxPayload: 100_000),
        ])
    } catch {
        preconditionFailure("the fuzz types are invalid: \(error)")
    }
}()

/// One broker for the whole run, on a Unix socket in a temporary directory, with one
/// subscriber of every type that the harness keeps reading, so that fuzz frames are routed.
private final class Harness: @unchecked Sendable {
    let broker: Broker
    let path: String
    var subscriber: RawSocket
    var inputs = 0
    let baselineInUse: Int

    init() {
        var template = "/tmp/mycelium-fuzz-broker.XXXXXX".utf8CString
        let directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        path = directory + "/broker.sock"
        var configuration = BrokerConfiguration(
            messageTypes: types, pool: .instance(SystemPool(configuration: PoolConfiguration(plan: types.sizeClassPlan))))
        configuration.listeners = [.unix(path: path)]
        configuration.maxPayload = 100_000
        do {
            broker = try Broker(configuration: configuration)
            _ = try broker.start()
        } catch {
            preconditionFailure("the fuzz broker did not start: \(error)")
        }
        subscriber = Self.subscribe(path)
        baselineInUse = Self.quiet(broker, connections: 1, inUse: Int.max)
    }

    /// A connection subscribed to every type, once the broker confirmed it (a PONG after
    /// the SUBSCRIBE).
    static func subscribe(_ path: String) -> RawSocket {
        let socket = RawSocket(path: path)
        socket.send(ControlFrame.subscribe([1001, 1002, 1003]).encoded())
        expectPong(socket)
        return socket
    }

    /// Sends a PING and reads frames until its PONG: the broker is alive and has handled
    /// everything this connection sent before.
    static func expectPong(_ socket: borrowing RawSocket) {
        let token: [UInt8] = [0x66, 0x75, 0x7A, 0x7A]
        socket.send(ControlFrame.ping(token).encoded())
        for _ in 0..<1_000_000 {
            guard let frame = socket.readFrame() else { preconditionFailure("the broker did not answer a PING within 5 s") }
            if frame.typeID == ControlFrameType.pong.rawValue && frame.payload == token { return }
        }
        preconditionFailure("no PONG among a million frames")
    }

    /// Waits (at most 10 s) until the broker has `connections` connections and no more than
    /// `inUse` buffers out; returns the buffers out.
    static func quiet(_ broker: Broker, connections: Int, inUse: Int) -> Int {
        for _ in 0..<10_000 {
            let stats = broker.stats()
            if stats.connections == connections && stats.pool.inUse <= inUse { return stats.pool.inUse }
            usleep(1000)
        }
        let stats = broker.stats()
        preconditionFailure(
            "the broker did not settle: \(stats.connections) connections (expected \(connections)), "
                + "\(stats.pool.inUse) buffers out (expected at most \(inUse))")
    }
}

private let harness = Harness()

/// One input: its first byte says whether a valid HELLO goes first (bit 0) and how long the
/// pieces are that the rest is written in (bits 1-7: 1-127 bytes, so frames straddle
/// reads everywhere); the rest is what a client sends. Then the client ends its side. The
/// broker must close the connection within 5 s whatever it was sent, route what was valid
/// to the subscriber, and every 1,000 inputs still answer a PING with every buffer back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBroker(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    do {
        let client = RawSocket(path: harness.path)
        if data[0] & 1 == 1 { client.send(ControlFrame.hello(Hello(peerName: "fuzz")).encoded()) }
        let piece = max(1, Int(data[0] >> 1))
        var offset = 1
        while offset < size {
            let count = min(piece, size - offset)
            guard client.send(UnsafeRawBufferPointer(start: data + offset, count: count)) else { break }
            offset += count
        }
        shutdown(client.fd, Int32(SHUT_WR))
        precondition(client.readToEnd(), "the broker kept a connection open 5 s after the client finished")
    }
    if !harness.subscriber.drain() {
        // A fuzz input may have unsubscribed it, or made it a slow consumer: start again.
        harness.subscriber = Harness.subscribe(harness.path)
    }
    harness.inputs += 1
    if harness.inputs % 1_000 == 0 {
        Harness.expectPong(harness.subscriber)
        _ = Harness.quiet(harness.broker, connections: 1, inUse: harness.baselineInUse)
    }
    return 0
}
