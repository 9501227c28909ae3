/// A control frame (types 1-10), decoded.
///
/// ```swift
/// let bytes = ControlFrame.subscribe([1001, 1002]).encoded()   // header + payload
/// let frame = try ControlFrame.decode(typeID: 2, payload: payloadBytes)
/// ```
public enum ControlFrame: Sendable, Hashable {
    /// Type 1.
    case hello(Hello)
    /// Type 2: the type ids to receive.
    case subscribe([UInt16])
    /// Type 3: the type ids to stop receiving.
    case unsubscribe([UInt16])
    /// Type 4: up to 64 opaque bytes.
    case ping([UInt8])
    /// Type 5: the PING's bytes.
    case pong([UInt8])
    /// Type 6.
    case error(WireError)
    /// Type 7.
    case statsRequest
    /// Type 8: the JSON document.
    case stats(String)
    /// Type 9.
    case connectionsRequest
    /// Type 10: the JSON document (``BrokerConnections``).
    case connections(String)

    /// The most bytes a PING may carry.
    public static let maxPingPayload = 64

    /// The frame's type.
    public var type: ControlFrameType {
        switch self {
        case .hello: .hello
        case .subscribe: .subscribe
        case .unsubscribe: .unsubscribe
        case .ping: .ping
        case .pong: .pong
        case .error: .error
        case .statsRequest: .statsRequest
        case .stats: .stats
        case .connectionsRequest: .connectionsRequest
        case .connections: .connections
        }
    }

    /// The payload bytes, without the header.
    public func encodedPayload() -> [UInt8] {
        switch self {
        case .hello(let hello):
            let token: [UInt8] = hello.token.map { [0] + Array($0.utf8) } ?? []
            return Self.bytes(of: hello.version) + hello.digest + Array(hello.peerName.utf8) + token
        case .subscribe(let ids), .unsubscribe(let ids):
            return ids.flatMap { Self.bytes(of: $0) }
        case .ping(let bytes), .pong(let bytes):
            return bytes
        case .error(let error):
            return Self.bytes(of: error.code.rawValue) + Array(error.message.utf8)
        case .statsRequest, .connectionsRequest:
            return []
        case .stats(let json), .connections(let json):
            return Array(json.utf8)
        }
    }

    /// The whole frame: header and payload.
    public func encoded() -> [UInt8] {
        let payload = encodedPayload()
        return FrameHeader(typeID: type.rawValue, length: UInt32(payload.count)).bytes + payload
    }

    /// Decodes the payload of a frame of type `typeID` (1-10).
    ///
    /// It checks the payload's shape only; who may send which type is the receiver's rule.
    ///
    /// - Throws: ``WireError`` with ``WireErrorCode/unknownTypeID`` when `typeID` is not a
    ///   control type, ``WireErrorCode/malformedControlFrame`` when the payload has the
    ///   wrong length or content; the message says which.
    public static func decode(typeID: UInt16, payload: UnsafeRawBufferPointer) throws(WireError) -> ControlFrame {
        guard let type = ControlFrameType(rawValue: typeID) else {
            throw WireError(.unknownTypeID, "type id \(typeID) is not a control frame type (1-10)")
        }
        switch type {
        case .hello:
            guard payload.count >= 2 + Hello.digestByteCount else {
                throw WireError(
                    .malformedControlFrame,
                    "HELLO payload has \(payload.count) bytes; it needs at least 34 (u16 version, 32-byte digest)")
            }
            let version = UInt16(littleEndian: payload.loadUnaligned(as: UInt16.self))
            let rest = payload[(2 + Hello.digestByteCount)...]
            // `name NUL token`; without a NUL, all of it is the name (the original format).
            let separator = rest.firstIndex(of: 0)
            let name = try text(rest[..<(separator ?? rest.endIndex)], in: "HELLO peer name")
            let token = try separator.map { (at) throws(WireError) in try text(rest[(at + 1)...], in: "HELLO token") }
            if let token, token.utf8.contains(0) {
                throw WireError(.malformedControlFrame, "HELLO token contains a NUL byte; a token is text without NUL")
            }
            return .hello(
                Hello(
                    version: version, digest: Array(payload[2..<(2 + Hello.digestByteCount)]), peerName: name,
                    token: token))
        case .subscribe, .unsubscribe:
            guard payload.count >= 2, payload.count % 2 == 0 else {
                throw WireError(
                    .malformedControlFrame,
                    "\(type == .subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE") payload has \(payload.count) bytes; it must be one or more u16 type ids (an even, non-zero length)"
                )
            }
            let ids = stride(from: 0, to: payload.count, by: 2).map {
                UInt16(littleEndian: payload.loadUnaligned(fromByteOffset: $0, as: UInt16.self))
            }
            return type == .subscribe ? .subscribe(ids) : .unsubscribe(ids)
        case .ping, .pong:
            guard payload.count <= maxPingPayload else {
                throw WireError(
                    .malformedControlFrame,
                    "\(type == .ping ? "PING" : "PONG") payload has \(payload.count) bytes; at most \(maxPingPayload) are allowed"
                )
            }
            return type == .ping ? .ping(Array(payload)) : .pong(Array(payload))
        case .error:
            guard payload.count >= 2 else {
                throw WireError(.malformedControlFrame, "ERROR payload has \(payload.count) bytes; it needs a u16 code")
            }
            let raw = UInt16(littleEndian: payload.loadUnaligned(as: UInt16.self))
            // A code outside 1-10 is kept: a newer peer's error still reaches the caller.
            return .error(WireError(WireErrorCode(rawValue: raw), try text(payload[2...], in: "ERROR text")))
        case .statsRequest, .connectionsRequest:
            let isStats = type == .statsRequest
            guard payload.isEmpty else {
                throw WireError(
                    .malformedControlFrame,
                    "\(isStats ? "STATS_REQUEST" : "CONNECTIONS_REQUEST") payload has \(payload.count) bytes; it must be empty")
            }
            return isStats ? .statsRequest : .connectionsRequest
        case .stats:
            return .stats(try text(payload[...], in: "STATS document"))
        case .connections:
            return .connections(try text(payload[...], in: "CONNECTIONS document"))
        }
    }

    private static func bytes(of value: UInt16) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
    }

    private static func text(_ bytes: Slice<UnsafeRawBufferPointer>, in what: String) throws(WireError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw WireError(.malformedControlFrame, "\(what) is not valid UTF-8")
        }
        return text
    }
}
