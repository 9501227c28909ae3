import MyceliumKit

/// The example's two messages (declared in `example.contracts.yaml`; the MyceliumGenerator
/// plugin generates `Reading`, `Setpoint` and `ExampleContracts` from it), each made from a
/// sequence number: the number, then bytes derived from it, so that a receiver can check both
/// the order and the content by comparing with the message it expects.
enum ExampleMessages {
    /// Reading `sequence`: 24 bytes, published by the socket client. Small, so the broker
    /// copies it into each subscriber's output.
    static func reading(_ sequence: Int) -> Reading {
        Reading(sequence: UInt64(sequence), samples: pattern(sequence))
    }

    /// Setpoint `sequence`: 700 bytes, published in-process. Encoded straight into a buffer of
    /// the broker's pool, which the subscriber's socket is written from by reference.
    static func setpoint(_ sequence: Int) -> Setpoint {
        Setpoint(sequence: UInt64(sequence), data: pattern(sequence))
    }

    private static func pattern<let count: Int>(_ sequence: Int) -> FixedArray<count, UInt8> {
        var bytes = FixedArray<count, UInt8>(repeating: 0)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: sequence &* 31 &+ index) }
        return bytes
    }
}

/// A message that carries its sequence number: both generated structs have the field, and
/// this conformance lets one function check either stream.
protocol Sequenced: MyceliumMessage, Equatable {
    var sequence: UInt64 { get }
}

extension Reading: Sequenced {}
extension Setpoint: Sequenced {}
