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
        let error = #expect(throws: PoolRegistryError.self) {
            _ = try registry.make("c", configuration: configuration)
        }
        #expect(error?.code == .unknownName && error?.name == "c" && error?.registered == ["a", "b"])
        #expect(error?.description == "unknown pool backend 'c'; registered: a, b")
    }

    @Test func takenAndInvalidNamesAreRefused() throws {
        var registry = PoolRegistry()
        try registry.register("heap", description: "") { TestHeapPool(configuration: $0) }
        let taken = #expect(throws: PoolRegistryError.self) {
            try registry.register("heap", description: "") { TestHeapPool(configuration: $0) }
        }
        #expect(taken?.code == .nameTaken && taken?.name == "heap")
        #expect(taken?.description == "a pool backend named 'heap' is registered already; pick another name")
        for name in ["", "two words"] {
            let invalid = #expect(throws: PoolRegistryError.self) {
                try registry.register(name, description: "") { TestHeapPool(configuration: $0) }
            }
            #expect(invalid?.code == .invalidName && invalid?.name == name)
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
        let error = #expect(throws: PoolRegistryError.self) {
            _ = try registry.make("big", configuration: configuration)
        }
        #expect(error?.code == .factoryFailed && error?.name == "big")
        #expect(error?.underlying is NoMemory, "the factory's error itself, not its text")
        #expect(error?.description == "pool backend 'big' failed to start: mmap refused 1 GiB")
    }
}
