import MyceliumBackends
import MyceliumKit
import MyceliumTestSupport

extension BrokerConfiguration {
    /// A configuration on 127.0.0.1 port 0 with the test types and the named built-in pool.
    static func forTests(pool: String = "system", listeners: [SocketAddress] = [.tcp(host: "127.0.0.1", port: 0)])
        -> BrokerConfiguration
    {
        var configuration = BrokerConfiguration(messageTypes: TestTypes.table, pool: .named(pool, in: .builtIn))
        configuration.listeners = listeners
        return configuration
    }
}
