/// What the uplink needs to send and check one message type, prepared once: the `HPUB`
/// line's start and the header block, so that a frame is encoded with copies only.
struct UplinkType {
    let id: UInt16
    let name: String
    let isShared: Bool
    let maxPayload: Int
    /// `<prefix>.<Type>`.
    let subject: String
    /// `HPUB <subject> <header bytes> ` (the total follows).
    let publishStart: [UInt8]
    /// `NATS/1.0\r\nMycelium-Layout: …\r\nMycelium-Origin: …\r\n\r\n`.
    let headerBlock: [UInt8]
    /// The layout digest as lowercase hex ASCII, when known.
    let layout: [UInt8]?

    init(_ entry: MessageTypeTable.Entry, settings: UplinkConfiguration, shared: Set<UInt16>, origin: String) {
        id = entry.id
        name = entry.name
        isShared = shared.contains(entry.id)
        maxPayload = entry.maxPayload
        subject = "\(settings.prefix).\(entry.name)"
        let digest = settings.layoutDigests[entry.name].map { HexBytes.digits($0) }
        layout = digest.map { Array($0.utf8) }
        var headers = "NATS/1.0\r\n"
        if let digest { headers += "\(UplinkType.layoutHeader): \(digest)\r\n" }
        headers += "\(UplinkType.originHeader): \(origin)\r\n\r\n"
        headerBlock = Array(headers.utf8)
        publishStart = Array("HPUB \(subject) \(headerBlock.count) ".utf8)
    }

    static let layoutHeader = "Mycelium-Layout"
    static let originHeader = "Mycelium-Origin"
    static let layoutHeaderName: [UInt8] = Array(layoutHeader.utf8)
}
