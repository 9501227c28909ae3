import MyceliumKit

/// The two message types the example routes, and their payloads: a sequence number in the
/// first 8 bytes (little-endian), then bytes derived from it, so that a receiver can check
/// both the order and the content.
enum ExampleTypes {
    /// A 24-byte sensor reading, published by the socket client: small, so the broker copies
    /// it into each subscriber's output and hands in-process subscribers a buffer of its own.
    static let reading: UInt16 = 1201
    static let readingBytes = 24
    /// A 700-byte setpoint, published in-process: the subscriber's socket gets the very
    /// buffer the publisher filled, written by reference.
    static let setpoint: UInt16 = 1202
    static let setpointBytes = 700

    /// The broker's type table.
    static func table() throws -> MessageTypeTable {
        try MessageTypeTable([
            .init(id: reading, name: "Reading", maxPayload: readingBytes),
            .init(id: setpoint, name: "Setpoint", maxPayload: setpointBytes),
        ])
    }

    /// Writes message `sequence` into the first `byteCount` bytes of `bytes`.
    static func write(sequence: Int, into bytes: UnsafeMutableRawBufferPointer, byteCount: Int) {
        bytes.storeBytes(of: UInt64(sequence).littleEndian, as: UInt64.self)
        for offset in 8..<byteCount { bytes[offset] = pattern(sequence: sequence, offset: offset) }
    }

    /// Message `sequence` as an array.
    static func payload(sequence: Int, byteCount: Int) -> [UInt8] {
        var payload = [UInt8](repeating: 0, count: byteCount)
        payload.withUnsafeMutableBytes { write(sequence: sequence, into: $0, byteCount: byteCount) }
        return payload
    }

    /// The sequence number of `payload`, or `nil` when its length or its bytes are not what
    /// ``write(sequence:into:byteCount:)`` wrote.
    static func sequence(of payload: UnsafeRawBufferPointer, byteCount: Int) -> Int? {
        guard payload.count == byteCount else { return nil }
        let sequence = Int(UInt64(littleEndian: payload.loadUnaligned(as: UInt64.self)))
        for offset in 8..<byteCount where payload[offset] != pattern(sequence: sequence, offset: offset) { return nil }
        return sequence
    }

    private static func pattern(sequence: Int, offset: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: sequence &* 31 &+ offset)
    }
}
