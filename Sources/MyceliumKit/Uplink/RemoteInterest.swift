/// What the uplink knows of a shared type's subscribers in NATS, found by probing: a frame
/// published with a reply subject is answered with status 503 ("no responders") by the
/// server when nobody there subscribes (`CONNECT` sets `no_responders`). Each state keeps its
/// ``UplinkGate`` in step.
enum RemoteInterest: Equatable {
    /// Subscribers (or not asked yet): frames are sent (gate open); the first one encoded
    /// from `nextProbeAt` on carries the reply subject.
    case present(nextProbeAt: UInt64)
    /// No subscriber: frames stay local (gate closed) until `nextProbeAt`.
    case absent(nextProbeAt: UInt64)
    /// A probe is wanted (gate `probe`): the next frame a loop hands over carries the reply
    /// subject, followed by a `PING`.
    case probeRequested
    /// The probe was sent; the `PONG` to the `PING` after it (number `pong` since the
    /// handshake) without a 503 before it means somebody subscribes.
    case probing(pong: Int)
}
