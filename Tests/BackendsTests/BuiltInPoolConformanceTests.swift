import MyceliumBackends
import MyceliumCore
import MyceliumTestKit
import MyceliumTestSupport
import Testing

@Suite("Built-in pools pass the conformance suite")
struct BuiltInPoolConformanceTests {
    @Test(arguments: ["arena", "lockfree", "mutex"])
    func pooledBackendConforms(name: String) async throws {
        // The check joins threads of its own: off the cooperative pool.
        let failures = try await onThread {
            PoolConformance(claims: .init(pools: true, zeroes: true)).check { configuration in
                try PoolRegistry.builtIn.make(name, configuration: configuration)
            }
        }
        #expect(failures.isEmpty, "\(name): \(failures.map(\.description).joined(separator: "\n"))")
    }

    @Test func systemBackendConforms() async throws {
        // The check joins threads of its own: off the cooperative pool.
        let failures = try await onThread {
            PoolConformance(claims: .init(pools: false, zeroes: true)).check { configuration in
                try PoolRegistry.builtIn.make("system", configuration: configuration)
            }
        }
        #expect(failures.isEmpty, "system: \(failures.map(\.description).joined(separator: "\n"))")
    }

    @Test func builtInRegistryHoldsFourDescribedBackends() async throws {
        let registry = PoolRegistry.builtIn
        #expect(registry.names == ["arena", "lockfree", "mutex", "system"])
        for entry in registry.entries {
            #expect(!entry.description.isEmpty && !entry.description.contains("\n"), "\(entry.name)")
            let pool = try? registry.make(entry.name, configuration: PoolConfiguration(plan: SizeClassPlan(payloadSizes: [100])))
            #expect(pool?.name == entry.name)
        }
    }
}
