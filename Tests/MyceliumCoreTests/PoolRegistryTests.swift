import MyceliumCore
import Testing

@Suite("PoolRegistry")
struct PoolRegistryTests {
    let configuration = PoolConfiguration(plan: SizeClassPlan(payloadSizes: [100]))

    @Test func registeredBackendIsMadeByNameWithItsConfiguration() throws {
        var registry = PoolRegistry()
        try registry.register("heap", description: "heap per buffer") { TestHeapPool(configuration: $0) }
        let pool = try registry.make("heap", configuration: configuration)
        #expect(pool.configuration == configuration)
        #expect(registry.names == ["heap"])
        #expect(registry.entries.map(\.description) == ["heap per buffer"])
    }

    @Test func unknownNameListsRegisteredNames() throws {
        var registry = PoolRegistry()
        try registry.register("b", description: "") { TestHeapPool(configuration: $0) }
        try registry.register("a", description: "") { TestHeapPool(configuration: $0) }
        #expect(throws: PoolRegistryError.unknownName("c", registered: ["a", "b"])) {
            _ = try registry.make("c", configuration: configuration)
        }
        #expect(
            PoolRegistryError.unknownName("c", registered: ["a", "b"]).description == "unknown pool backend 'c'; registered: a, b"
        )
    }

    @Test func takenAndInvalidNamesAreRefused() throws {
        var registry = PoolRegistry()
        try registry.register("heap", description: "") { TestHeapPool(configuration: $0) }
        #expect(throws: PoolRegistryError.nameTaken("heap")) {
            try registry.register("heap", description: "") { TestHeapPool(configuration: $0) }
        }
        for name in ["", "two words"] {
            #expect(throws: PoolRegistryError.invalidName(name)) {
                try registry.register(name, description: "") { TestHeapPool(configuration: $0) }
            }
        }
        #expect(
            PoolRegistryError.invalidName("two words").description
                == "'two words' is not a usable pool backend name: use a non-empty name without spaces")
    }

    @Test func factoryErrorIsWrappedWithTheBackendName() throws {
        struct NoMemory: Error, CustomStringConvertible {
            var description: String { "mmap refused 1 GiB" }
        }
        var registry = PoolRegistry()
        try registry.register("big", description: "") { _ in throw NoMemory() }
        #expect(throws: PoolRegistryError.factoryFailed(name: "big", underlying: "mmap refused 1 GiB")) {
            _ = try registry.make("big", configuration: configuration)
        }
        #expect(
            PoolRegistryError.factoryFailed(name: "big", underlying: "mmap refused 1 GiB").description
                == "pool backend 'big' failed to start: mmap refused 1 GiB")
    }
}
