import Logging

/// Which shared types have subscribers in NATS (see ``RemoteInterest``): the uplink probes
/// each type now and then, and closes the type's ``UplinkGate`` while nobody there wants
/// it, so that a broker whose types nobody reads elsewhere spends nothing on NATS.
extension Uplink {
    /// The subscription id of the probes' answers (`_INBOX.<origin>.*`): after the types'.
    var probeSid: UInt64 { UInt64(typeCount) + 1 }

    /// What to write before a frame of type `dense` encoded at `now`.
    enum FrameStart {
        /// No reply subject.
        case plain
        /// A reply subject: a 503 answer closes the gate.
        case probe
        /// A reply subject and a `PING` after the frame: the `PONG` without a 503 before it
        /// opens the gate.
        case probeAndPing
    }

    /// After the handshake: subscribes to the probes' answers and treats every shared type
    /// as wanted, to be probed with its first frame.
    func startProbing(now: UInt64) {
        state.pointee.pingsSent = 0
        state.pointee.pongsReceived = 0
        guard probeNanoseconds != nil else { return }
        state.pointee.output.append(Array("SUB \(UplinkType.replyPrefix(origin: origin))* \(probeSid)\r\n".utf8))
        for dense in 0..<typeCount where types[dense].isShared {
            state.pointee.interest[dense] = .present(nextProbeAt: now)
        }
    }

    /// Opens every shared type's gate: while disconnected, frames wait in the buffer.
    func openGates() {
        for dense in 0..<typeCount where types[dense].isShared {
            core.routing.setUplinkGate(dense, .open)
            state.pointee.interest[dense] = .present(nextProbeAt: .max)
        }
    }

    /// Asks the loops for one frame of each unwanted type whose next probe is due.
    func requestDueProbes(now: UInt64) {
        guard now >= state.pointee.nextInterestScan else { return }
        state.pointee.nextInterestScan = now + Self.interestScanInterval
        for dense in 0..<typeCount {
            guard case .absent(let due) = state.pointee.interest[dense], now >= due else { continue }
            state.pointee.interest[dense] = .probeRequested
            core.routing.setUplinkGate(dense, .probe)
        }
    }

    /// How the next frame of `dense` starts, and what the uplink then waits for.
    func frameStart(_ dense: Int, now: UInt64) -> FrameStart {
        guard let interval = probeNanoseconds else { return .plain }
        switch state.pointee.interest[dense] {
        case .present(let due) where now >= due:
            state.pointee.interest[dense] = .present(nextProbeAt: now + interval)
            return .probe
        case .probeRequested:
            state.pointee.interest[dense] = .probing(pong: state.pointee.pingsSent + 1)
            return .probeAndPing
        default:
            return .plain
        }
    }

    /// A message on the probes' subscription: a 503 status says nobody subscribes to the
    /// type named by the subject's last token.
    func probeAnswered(_ message: NATSMessage, in bytes: UnsafeRawBufferPointer) {
        guard let headers = message.headers,
            bytes[headers].starts(with: Self.noRespondersStatus),
            let dense = Self.lastTokenNumber(bytes[message.subject]).map({ $0 - 1 }),
            dense >= 0 && dense < typeCount && types[dense].isShared, let interval = probeNanoseconds
        else { return }
        if case .absent = state.pointee.interest[dense] { return }
        state.pointee.interest[dense] = .absent(nextProbeAt: BrokerLoop.now() + interval)
        core.routing.setUplinkGate(dense, .closed)
        core.logger.debug(
            "uplink: no subscriber of \(names[dense].subject) in NATS; its frames stay local until a probe finds one",
            metadata: ["type": "\(names[dense].type)"])
    }

    /// A `PONG` after the handshake: every probe sent before its `PING` and not answered by a
    /// 503 found a subscriber.
    func pongReceived() {
        state.pointee.pongsReceived += 1
        guard let interval = probeNanoseconds else { return }
        let now = BrokerLoop.now()
        for dense in 0..<typeCount {
            guard case .probing(let pong) = state.pointee.interest[dense], pong <= state.pointee.pongsReceived else {
                continue
            }
            state.pointee.interest[dense] = .present(nextProbeAt: now + interval)
            core.routing.setUplinkGate(dense, .open)
            core.logger.debug(
                "uplink: \(names[dense].subject) has a subscriber in NATS again; its frames are sent",
                metadata: ["type": "\(names[dense].type)"])
        }
    }

    /// How often unwanted types are checked for a due probe.
    static let interestScanInterval: UInt64 = 10 * 1_000_000
    /// The header line of NATS's "no responders" status.
    static let noRespondersStatus = Array("NATS/1.0 503".utf8)

    /// The number after the last `.` of a subject, if it is one.
    private static func lastTokenNumber(_ subject: Slice<UnsafeRawBufferPointer>) -> Int? {
        let token = subject.lastIndex(of: UInt8(ascii: ".")).map { subject[($0 + 1)...] } ?? subject
        guard !token.isEmpty, token.count <= 9 else { return nil }
        var value = 0
        for byte in token {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
