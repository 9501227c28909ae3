/// Where and what a broker shares through NATS (``BrokerConfiguration/uplink``): the broker
/// becomes a client of a NATS cluster, publishes each data frame of ``types`` on subject
/// `<prefix>.<Type>`, and subscribes to a type there while it has local subscribers.
///
/// ```swift
/// var uplink = UplinkConfiguration(servers: [try NATSURL(parsing: "nats://127.0.0.1:4222")])
/// uplink.types = ["Trade", "Quote"]
/// configuration.uplink = uplink
/// ```
public struct UplinkConfiguration: Sendable, Hashable {
    /// The NATS servers to try, in order; servers the cluster announces (`connect_urls`)
    /// are added while running.
    public var servers: [NATSURL]
    /// The names of the types to share; `nil` (the default) shares every type of
    /// ``BrokerConfiguration/messageTypes``.
    public var types: [String]?
    /// The first part of every subject: type `Trade` travels on `<prefix>.Trade`.
    public var prefix = "mycelium"
    /// Bytes of outbound frames kept while NATS is unreachable or slow; past it the oldest
    /// are dropped and counted.
    public var bufferBytes = 8 << 20
    /// Per type name, the layout digest sent as the `Mycelium-Layout` header (lowercase hex)
    /// and checked on arriving messages. A type without one is sent without the header and
    /// its arriving messages are checked by length only. `mycelium serve` fills it from the
    /// catalog (SHA-256 of the type's contract, as ``BrokerConfiguration/digest`` is of the set).
    public var layoutDigests: [String: [UInt8]] = [:]
    /// How often the uplink asks NATS whether a shared type has subscribers there: one frame
    /// of the type is published with a reply subject, which the server answers with "no
    /// responders" when nobody subscribes. While a type has none its frames are not sent
    /// (NATS would discard them) but counted as ``UplinkStats/unwanted``, and a subscriber
    /// that appears in NATS receives the type from the next probe on, at most this long after
    /// subscribing. `nil` sends every frame of every shared type. The default is 1 second.
    public var probeInterval: Duration? = .seconds(1)
    /// How often the uplink sends `PING` to the server; after two without a `PONG` the
    /// connection is stale and the uplink reconnects. The default is 2 minutes, as NATS
    /// clients use.
    public var pingInterval: Duration = .seconds(120)

    /// Creates a configuration for `servers` with the defaults.
    public init(servers: [NATSURL]) {
        self.servers = servers
    }

    /// Checks the settings against the broker's types; returns the shared types' ids.
    func validate(against table: MessageTypeTable) throws(BrokerError) -> Set<UInt16> {
        func check(_ ok: Bool, _ message: String) throws(BrokerError) {
            if !ok { throw BrokerError.invalidConfiguration(message) }
        }
        try check(!servers.isEmpty, "the uplink needs at least one NATS server, e.g. nats://127.0.0.1:4222")
        try check(bufferBytes >= 0, "the uplink buffer must not be negative, got \(bufferBytes)")
        try check(pingInterval > .zero, "the uplink ping interval must be positive, got \(pingInterval)")
        if let probeInterval {
            try check(
                probeInterval > .zero,
                "the uplink probe interval must be positive, got \(probeInterval); leave it nil to send every frame")
        }
        let tokens = prefix.split(separator: ".", omittingEmptySubsequences: false)
        try check(
            !prefix.isEmpty && tokens.allSatisfy { !$0.isEmpty && $0 != "*" && $0 != ">" }
                && !prefix.contains(where: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }),
            "uplink prefix '\(prefix)' is not a NATS subject; use dot-separated words without spaces or wildcards, e.g. mycelium"
        )
        let names = Dictionary(table.entries.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
        guard let types else { return Set(table.entries.map(\.id)) }
        var ids = Set<UInt16>()
        for name in types {
            guard let id = names[name] else {
                let known = table.entries.prefix(8).map(\.name).joined(separator: ", ")
                throw BrokerError.invalidConfiguration(
                    "uplink type '\(name)' is not a message type of this broker; known: \(known)\(table.entries.count > 8 ? ", ..." : "")"
                )
            }
            ids.insert(id)
        }
        return ids
    }
}
