import Synchronization

/// Per type id, what every loop needs on each frame: the type's maximum payload and its
/// dense index; and per type, which loops have subscribers (one bit per loop).
///
/// The per-id table and the uplink flags are immutable after start; the loop masks change
/// only on (un)subscribe, the uplink gates when NATS gains or loses subscribers of a type.
final class RoutingTable: @unchecked Sendable {
    struct TypeSlot {
        /// The contract maximum, or -1 for an unknown type id.
        var maxPayload: Int32
        /// The index among the known types.
        var dense: Int32
    }

    let slots: UnsafeMutablePointer<TypeSlot>
    let typeCount: Int
    let loopMasks: UnsafeMutablePointer<Atomic<UInt64>>
    /// Per type (dense index), whether its frames go to the NATS uplink: all `false` without one.
    let uplinked: UnsafeMutablePointer<Bool>
    /// Per type, an ``UplinkGate``: whether a shared type's frames go to the uplink now.
    let uplinkGates: UnsafeMutablePointer<Atomic<UInt8>>

    init(_ table: MessageTypeTable, uplinked shared: Set<UInt16> = []) {
        let idCount = Int(UInt16.max) + 1
        slots = .allocate(capacity: idCount)
        slots.initialize(repeating: TypeSlot(maxPayload: -1, dense: -1), count: idCount)
        typeCount = table.entries.count
        for (dense, entry) in table.entries.enumerated() {
            slots[Int(entry.id)] = TypeSlot(maxPayload: Int32(clamping: entry.maxPayload), dense: Int32(dense))
        }
        loopMasks = .allocate(capacity: max(1, typeCount))
        for index in 0..<max(1, typeCount) { (loopMasks + index).initialize(to: Atomic(0)) }
        uplinked = .allocate(capacity: max(1, typeCount))
        uplinked.initialize(repeating: false, count: max(1, typeCount))
        for (dense, entry) in table.entries.enumerated() where shared.contains(entry.id) { uplinked[dense] = true }
        uplinkGates = .allocate(capacity: max(1, typeCount))
        for index in 0..<max(1, typeCount) { (uplinkGates + index).initialize(to: Atomic(UplinkGate.open.rawValue)) }
    }

    deinit {
        slots.deallocate()
        loopMasks.deinitialize(count: max(1, typeCount))
        loopMasks.deallocate()
        uplinked.deallocate()
        uplinkGates.deinitialize(count: max(1, typeCount))
        uplinkGates.deallocate()
    }

    /// Whether a frame of shared type `dense` goes to the uplink now: its gate is open, or it
    /// asks for a probe and this caller is the one to take it. A relaxed load per run: the
    /// gate is advice, and a frame more or less around a change is harmless.
    @inline(__always)
    func uplinkTakes(_ dense: Int) -> Bool {
        switch uplinkGates[dense].load(ordering: .relaxed) {
        case UplinkGate.open.rawValue:
            return true
        case UplinkGate.probe.rawValue:
            return uplinkGates[dense].compareExchange(
                expected: UplinkGate.probe.rawValue, desired: UplinkGate.closed.rawValue, ordering: .relaxed
            ).exchanged
        default:
            return false
        }
    }

    /// Sets the gate of type `dense`; the uplink's thread only.
    func setUplinkGate(_ dense: Int, _ gate: UplinkGate) {
        uplinkGates[dense].store(gate.rawValue, ordering: .relaxed)
    }
}
