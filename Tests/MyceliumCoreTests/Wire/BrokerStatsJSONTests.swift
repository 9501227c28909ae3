import MyceliumCore
import Testing

@Suite struct BrokerStatsJSONTests {
    @Test func documentHasDesignsKeysInOrder() throws {
        let pool = PoolStats(
            name: "arena",
            classes: [
                PoolClassStats(size: 128, capacity: 512, inUse: 1, highWater: 2, acquires: 3, returns: 2, allocations: 2, hits: 1)
            ],
            unclassified: PoolClassStats(size: 0, capacity: 0))
        let stats = BrokerStats(
            pool: pool, connections: 2, messagesIn: 10, messagesOut: 20, slowConsumers: 1, dropped: 4, authRefusals: 3)
        #expect(
            stats.jsonDocument()
                == #"{"pool":{"name":"arena","in_use":1,"acquires":3,"returns":2,"allocations":2,"hits":1,"misses":0,"hit_rate":0.3333333333333333,"bytes_reserved":0,"classes":[{"size":128,"capacity":512,"in_use":1,"high_water":2,"acquires":3,"returns":2,"allocations":2,"hits":1,"misses":0,"bytes_reserved":0}]},"connections":2,"messages_in":10,"messages_out":20,"slow_consumers":1,"dropped":4,"auth_refusals":3}"#
        )
        #expect(try BrokerStats(jsonDocument: stats.jsonDocument()) == stats)
    }

    @Test func aDocumentWithoutAuthRefusalsReadsAsZero() throws {
        let older =
            #"{"pool":{"name":"arena","in_use":0,"classes":[]},"connections":1,"messages_in":2,"messages_out":3,"slow_consumers":0,"dropped":0}"#
        let stats = try BrokerStats(jsonDocument: older)
        #expect(stats.authRefusals == 0 && stats.messagesOut == 3)
    }

    @Test func anUplinkWithoutUnwantedReadsAsZero() throws {
        let older =
            #"{"pool":{"name":"arena","in_use":0,"classes":[]},"connections":1,"messages_in":2,"messages_out":3,"slow_consumers":0,"dropped":0,"uplink":{"state":"connected","server":"nats://h:4222","messages_out":1,"messages_in":0,"dropped":0,"rejected":0,"reconnects":0}}"#
        let uplink = try BrokerStats(jsonDocument: older).uplink
        #expect(uplink?.unwanted == 0 && uplink?.messagesOut == 1)
    }

    @Test func theUplinkObjectFollowsAndReadsBack() throws {
        let pool = PoolStats(name: "system", classes: [], unclassified: PoolClassStats(size: 0, capacity: 0))
        let uplink = UplinkStats(
            state: "connected", server: "nats://10.0.0.7:4222", messagesOut: 5, messagesIn: 6, dropped: 7, rejected: 8,
            reconnects: 9, unwanted: 10)
        let stats = BrokerStats(
            pool: pool, connections: 0, messagesIn: 0, messagesOut: 0, slowConsumers: 0, dropped: 0, uplink: uplink)
        #expect(
            stats.jsonDocument().hasSuffix(
                #","auth_refusals":0,"uplink":{"state":"connected","server":"nats://10.0.0.7:4222","messages_out":5,"messages_in":6,"dropped":7,"rejected":8,"reconnects":9,"unwanted":10}}"#
            ))
        #expect(try BrokerStats(jsonDocument: stats.jsonDocument()) == stats)
        #expect(try BrokerStats(jsonDocument: stats.jsonDocument()).uplink == uplink)
        let without = BrokerStats(pool: pool, connections: 0, messagesIn: 0, messagesOut: 0, slowConsumers: 0, dropped: 0)
        #expect(!without.jsonDocument().contains("uplink"), "no key for a broker without an uplink")
        #expect(try BrokerStats(jsonDocument: without.jsonDocument()).uplink == nil)
    }

    @Test func hitRateIsOneWhenNothingWasAcquiredAndNamesAreEscaped() {
        let pool = PoolStats(name: "my \"pool\"", classes: [], unclassified: PoolClassStats(size: 0, capacity: 0))
        let json = BrokerStats(pool: pool, connections: 0, messagesIn: 0, messagesOut: 0, slowConsumers: 0, dropped: 0)
            .jsonDocument()
        #expect(json.contains(#""name":"my \"pool\"""#))
        #expect(json.contains(#""hit_rate":1.0"#))
    }
}
