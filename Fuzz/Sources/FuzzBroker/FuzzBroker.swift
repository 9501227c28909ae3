import FuzzSupport
import Glibc
@_spi(Fuzzing) import MyceliumKit

/// Types of three sizes, so that fuzz frames take every delivery path: copied into the
/// subscriber's output from the receive buffer (small, and medium ones that straddle more
/// reads), and read into a buffer of their own and queued by reference (large: above the
/// broker's 2 KiB copy threshold, and up to twice its 8 KiB receive buffer). The
/// broker's limits are small so that short inputs reach every path: a full receive buffer,
/// a frame larger than it, a frame above the maximum payload.
private let types: MessageTypeTable = {
    do {
        return try MessageTypeTable([
            .init(id: 1001, name: "Small", maxPayload: 64),
            .init(id: 1002, name: "Medium", maxPayload: 1024),
            .init(id: 1003, name: "Large", maxPayload: 16_384),
        ])
    } catch {
        preconditionFailure("the fuzz types are invalid: \(error)")
    }
}()

/// One broker for the whole run, on a Unix socket in a temporary directory, with one
/// subscriber of every type that the harness keeps reading, so that fuzz frames are routed.
///
/// The broker is started stepped (``Broker/startStepped()``): its two loops run on this
/// thread, with no thread between the harness and the broker's own read, parse, routing and
/// write code. Connections alternate between the loops, so frames reach the subscriber both
/// from its own loop and handed over from the other. libFuzzer calls the target on one
/// thread only.
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
        configuration.maxPayload = 16_384
        configuration.engineBufferSize = 8192
        configuration.receiveBufferSize = 8192
        configuration.copyThreshold = 2048
        configuration.loops = 2
        do {
            broker = try Broker(configuration: configuration)
            try broker.startStepped()
        } catch {
            preconditionFailure("the fuzz broker did not start: \(error)")
        }
        subscriber = Self.subscribe(path, broker)
        // A connection on the other loop, so that both loops hold their receive buffer in
        // the baseline.
        Self.expectPong(RawSocket(path: path), broker)
        baselineInUse = Self.quiet(broker, connections: 1, inUse: Int.max)
    }

    /// A connection subscribed to every type, once the broker confirmed it (a PONG after
    /// the SUBSCRIBE).
    static func subscribe(_ path: String, _ broker: Broker) -> RawSocket {
        let socket = RawSocket(path: path)
        socket.send(ControlFrame.subscribe([1001, 1002, 1003]).encoded())
        expectPong(socket, broker)
        return socket
    }

    /// Sends a PING and reads frames until its PONG: the broker is alive and has handled
    /// everything this connection sent before.
    static func expectPong(_ socket: borrowing RawSocket, _ broker: Broker) {
        let token: [UInt8] = [0x66, 0x75, 0x7A, 0x7A]
        socket.send(ControlFrame.ping(token).encoded())
        for _ in 0..<1_000_000 {
            precondition(socket.waitReadable(stepping: broker.step), "the broker did not answer a PING within 5 s")
            guard let frame = socket.readFrame() else { preconditionFailure("the broker closed the subscriber") }
            if frame.typeID == ControlFrameType.pong.rawValue && frame.payload == token { return }
        }
        preconditionFailure("no PONG among a million frames")
    }

    /// Steps the broker (for at most 5 s) until it has `connections` connections and no more
    /// than `inUse` buffers out; returns the buffers out.
    static func quiet(_ broker: Broker, connections: Int, inUse: Int) -> Int {
        let settled = SteppedIO.stepUntil(
            {
                let stats = broker.stats()
                return stats.connections == connections && stats.pool.inUse <= inUse
            }, stepping: broker.step)
        let stats = broker.stats()
        if settled { return stats.pool.inUse }
        preconditionFailure(
            "the broker did not settle: \(stats.connections) connections (expected \(connections)), "
                + "\(stats.pool.inUse) buffers out (expected at most \(inUse))")
    }
}

private let harness = Harness()
private let hello = ControlFrame.hello(Hello(peerName: "fuzz")).encoded()
/// The most reads an input is fed in.
private let maxPieces = 64

/// One input: its first byte says whether a valid HELLO goes first (bit 0) and how long the
/// pieces are that the rest is fed in (bits 1-7: 1-127 bytes), each piece one read of the
/// connection's socket, so that frames straddle reads everywhere; the rest is what a client
/// sends, fed to a ``FedConnection`` (the broker loop's own read path, from memory). After
/// ``maxPieces`` pieces the rest goes in one read: each read costs a microsecond or so, and
/// without a cap the corpus filled with 10 KB inputs read a byte at a time (a thousand
/// reads each on average, 665 inputs a second). Then the input ends, as when the client
/// shuts down its side. The broker must route what was valid to the subscriber, and every
/// 1,000 inputs still answer a PING with every buffer back and no connection but the
/// subscriber's left.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBroker(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let broker = harness.broker
    do {
        let connection: FedConnection
        do {
            connection = try broker.openFedConnection()
        } catch {
            preconditionFailure("no fed connection: \(error)")
        }
        if data[0] & 1 == 1 { _ = hello.withUnsafeBytes { connection.feed($0) } }
        let piece = max(1, Int(data[0] >> 1))
        var offset = 1
        var pieces = 0
        while offset < size && connection.isOpen {
            pieces += 1
            let count = pieces < maxPieces ? min(piece, size - offset) : size - offset
            connection.feed(UnsafeRawBufferPointer(start: data + offset, count: count))
            offset += count
        }
        connection.end()
    }
    // The other loop takes what this one handed over.
    broker.step()
    if !harness.subscriber.drain() {
        // A fuzz input may have unsubscribed it, or made it a slow consumer: start again.
        harness.subscriber = Harness.subscribe(harness.path, broker)
    }
    harness.inputs += 1
    if harness.inputs % 1_000 == 0 {
        Harness.expectPong(harness.subscriber, broker)
        _ = Harness.quiet(broker, connections: 1, inUse: harness.baselineInUse)
    }
    return 0
}
