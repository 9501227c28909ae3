/// What the uplink needs to send and check one message type, prepared once in raw memory:
/// the `HPUB` line's start and the header block, so that a frame is encoded with copies
/// only, and reading an entry per message costs no reference counting. Freed by ``free()``.
struct UplinkType {
    let id: UInt16
    let isShared: Bool
    let maxPayload: Int
    /// `HPUB <prefix>.<Type> <header bytes> ` (the total follows).
    let publishStart: UnsafeRawBufferPointer
    /// The same with the reply subject of a probe: `HPUB <prefix>.<Type> _INBOX.<origin>.<dense
    /// index + 1> <header bytes> ` (see ``RemoteInterest``).
    let probeStart: UnsafeRawBufferPointer
    /// `NATS/1.0\r\nMycelium-Layout: …\r\nMycelium-Origin: …\r\n\r\n`.
    let headerBlock: UnsafeRawBufferPointer
    /// The layout digest as lowercase hex ASCII; empty when unknown.
    let layout: UnsafeRawBufferPointer

    static let layoutHeader = "Mycelium-Layout"
    static let originHeader = "Mycelium-Origin"

    /// `<prefix>.<Type>`.
    static func subject(_ entry: MessageTypeTable.Entry, _ settings: UplinkConfiguration) -> String {
        "\(settings.prefix).\(entry.name)"
    }

    /// The subject probes' answers come to: `_INBOX.<origin>.<dense index + 1>`.
    static func replySubject(origin: String, dense: Int) -> String {
        "\(replyPrefix(origin: origin))\(dense + 1)"
    }

    /// `_INBOX.<origin>.`: the uplink subscribes to it followed by `*`.
    static func replyPrefix(origin: String) -> String {
        "_INBOX.\(origin)."
    }

    init(
        _ entry: MessageTypeTable.Entry, dense: Int, settings: UplinkConfiguration, shared: Set<UInt16>, origin: String
    ) {
        id = entry.id
        isShared = shared.contains(entry.id)
        maxPayload = entry.maxPayload
        let digest = settings.layoutDigests[entry.name].map { HexBytes.digits($0) }
        var headers = "NATS/1.0\r\n"
        if let digest { headers += "\(Self.layoutHeader): \(digest)\r\n" }
        headers += "\(Self.originHeader): \(origin)\r\n\r\n"
        headerBlock = Self.copy(headers)
        publishStart = Self.copy("HPUB \(Self.subject(entry, settings)) \(headerBlock.count) ")
        probeStart = Self.copy(
            "HPUB \(Self.subject(entry, settings)) \(Self.replySubject(origin: origin, dense: dense)) \(headerBlock.count) ")
        layout = Self.copy(digest ?? "")
    }

    /// Returns the memory of the prepared bytes.
    func free() {
        for bytes in [publishStart, probeStart, headerBlock, layout] { bytes.deallocate() }
    }

    private static func copy(_ text: String) -> UnsafeRawBufferPointer {
        let bytes = Array(text.utf8)
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count + 1, alignment: 1)
        memory.copyBytes(from: bytes)
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(memory)[0..<bytes.count])
    }
}
