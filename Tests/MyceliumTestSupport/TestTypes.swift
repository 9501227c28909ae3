package import MyceliumKit

/// Message types the broker tests use: a small one, a 1 KiB one (BenchFrame) and a large one.
package enum TestTypes {
    /// Up to 64 bytes.
    package static let small: UInt16 = 1001
    /// Up to 1 KiB.
    package static let bench: UInt16 = 1002
    /// Up to 1 MiB.
    package static let large: UInt16 = 1003
    /// Up to 8 bytes; used only by ``HealthyPair``.
    package static let healthy: UInt16 = 1004
    /// The four types.
    package static let table: MessageTypeTable = {
        do {
            return try MessageTypeTable([
                .init(id: small, name: "Small", maxPayload: 64),
                .init(id: bench, name: "BenchFrame", maxPayload: 1024),
                .init(id: large, name: "Large", maxPayload: 1 << 20),
                .init(id: healthy, name: "Healthy", maxPayload: 8),
            ])
        } catch {
            preconditionFailure("test types: \(error)")
        }
    }()
}

/// The payload of sequence number `sequence`: its 8 little-endian bytes.
package func sequencePayload(_ sequence: Int) -> [UInt8] {
    withUnsafeBytes(of: UInt64(sequence).littleEndian, Array.init)
}

/// The sequence number in the first 8 bytes of `payload` (see ``sequencePayload(_:)``).
package func sequenceNumber(_ payload: [UInt8]) -> Int {
    Int(payload.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
}
