import MyceliumCore
import Testing

@Suite struct MessageTypeTableTests {
    @Test func looksUpMaxPayloadByID() throws {
        let table = try MessageTypeTable([
            .init(id: 1101, name: "Trade", maxPayload: 25), .init(id: 1001, name: "BenchFrame", maxPayload: 1024),
        ])
        #expect(table.maxPayload(forTypeID: 1101) == 25)
        #expect(table.maxPayload(forTypeID: 1001) == 1024)
        #expect(table.maxPayload(forTypeID: 1102) == nil)
        #expect(table[1101]?.name == "Trade")
        #expect(table.entries.map(\.id) == [1001, 1101])
        #expect(table.sizeClassPlan.classes.map(\.size) == [128, 1024])
    }

    @Test func refusesDuplicateAndReservedIDs() {
        #expect(throws: MessageTypeTable.Error.duplicateID(1101, names: ["A", "B"])) {
            try MessageTypeTable([.init(id: 1101, name: "A", maxPayload: 1), .init(id: 1101, name: "B", maxPayload: 2)])
        }
        let reserved = #expect(throws: MessageTypeTable.Error.self) {
            try MessageTypeTable([.init(id: 7, name: "Low", maxPayload: 1)])
        }
        #expect(reserved?.description.contains("reserved for the framework") == true)
    }
}
