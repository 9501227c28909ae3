import ContractStore
import Glibc
import MyceliumBackends
import MyceliumKit
import MyceliumTestSupport
import Testing

/// An in-process broker on 127.0.0.1 port 0 with the bundled contracts (the catalog a
/// client command uses when there is no catalog file), for the `mycelium` client commands.
enum TestBroker {
    /// Starts the broker, runs `body` with its `HOST:PORT`, and stops it (see
    /// ``withBroker(_:_:)``).
    static func with(_ body: (String) async throws -> Void) async throws {
        let catalog = try Catalog(path: ":memory:")
        _ = try catalog.importContracts(yaml: BundledContracts.yaml, file: BundledContracts.fileName)
        var configuration = BrokerConfiguration(messageTypes: try catalog.messageTypes(), pool: .named("system", in: .builtIn))
        configuration.digest = try catalog.digest()
        configuration.listeners = [.tcp(host: "127.0.0.1", port: 0)]
        try await withBroker(configuration) { _, addresses in
            try await body(try #require(addresses.first).description)
        }
    }

    /// `127.0.0.1:PORT` where nothing listens: a bound socket that never calls `listen`, so
    /// connecting is refused for as long as `body` runs.
    static func withRefusingAddress(_ body: (String) async throws -> Void) async throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        try #require(bound)
        try await body("127.0.0.1:\(UInt16(bigEndian: address.sin_port))")
    }
}
