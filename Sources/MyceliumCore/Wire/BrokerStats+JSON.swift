extension BrokerStats {
    /// The STATS document, as Architecture.md lays it out:
    /// `{"pool":{"name":…,"in_use":…,…,"classes":[{"size":128,…}]},"connections":…,
    /// "messages_in":…,"messages_out":…,"slow_consumers":…,"dropped":…,"auth_refusals":…}`,
    /// then, for a broker with a NATS uplink, `"uplink":{"state":…,"server":…,"messages_out":…,
    /// "messages_in":…,"dropped":…,"rejected":…,"reconnects":…,"unwanted":…}`.
    ///
    /// Classes appear in ascending size; requests served above every class appear as a last
    /// class of size 0 when there were any.
    public func jsonDocument() -> String {
        var json = "{\"pool\":{\"name\":"
        json.appendJSONQuoted(pool.name)
        json += ",\"in_use\":\(pool.inUse),\"acquires\":\(pool.acquires),\"returns\":\(pool.returns)"
        json += ",\"allocations\":\(pool.allocations),\"hits\":\(pool.hits),\"misses\":\(pool.misses)"
        json += ",\"hit_rate\":\(pool.hitRate),\"bytes_reserved\":\(pool.bytesReserved),\"classes\":["
        for (index, entry) in pool.reportedClasses.enumerated() {
            if index > 0 { json += "," }
            json += "{\"size\":\(entry.size),\"capacity\":\(entry.capacity),\"in_use\":\(entry.inUse)"
            json += ",\"high_water\":\(entry.highWater),\"acquires\":\(entry.acquires),\"returns\":\(entry.returns)"
            json += ",\"allocations\":\(entry.allocations),\"hits\":\(entry.hits),\"misses\":\(entry.misses)"
            json += ",\"bytes_reserved\":\(entry.bytesReserved)}"
        }
        json += "]},\"connections\":\(connections),\"messages_in\":\(messagesIn),\"messages_out\":\(messagesOut)"
        json += ",\"slow_consumers\":\(slowConsumers),\"dropped\":\(dropped),\"auth_refusals\":\(authRefusals)"
        if let uplink {
            json += ",\"uplink\":{\"state\":"
            json.appendJSONQuoted(uplink.state)
            json += ",\"server\":"
            json.appendJSONQuoted(uplink.server)
            json += ",\"messages_out\":\(uplink.messagesOut),\"messages_in\":\(uplink.messagesIn)"
            json += ",\"dropped\":\(uplink.dropped),\"rejected\":\(uplink.rejected),\"reconnects\":\(uplink.reconnects)"
            json += ",\"unwanted\":\(uplink.unwanted)}"
        }
        json += "}"
        return json
    }
}
