/// Per shared type, whether loops hand its frames to the uplink: set by the uplink from what
/// NATS says about subscribers there, read by every loop once per run of frames.
enum UplinkGate: UInt8 {
    /// NATS has (or may have) subscribers: every frame goes to the uplink.
    case open
    /// NATS answered "no responders": frames stay local and are counted as unwanted.
    case closed
    /// Closed, but the uplink wants one frame to ask again: the first loop to take it closes
    /// the gate behind it.
    case probe
}
