import MyceliumKit
import MyceliumTestSupport
import Testing

@Suite struct SocketAddressTests {
    @Test(arguments: [
        ("127.0.0.1:7800", SocketAddress.tcp(host: "127.0.0.1", port: 7800)),
        ("[::1]:0", .tcp(host: "::1", port: 0)),
        ("localhost:65535", .tcp(host: "localhost", port: 65535)),
    ])
    func readsHostAndPort(text: String, expected: SocketAddress) throws {
        let address = try SocketAddress(parsingTCP: text)
        #expect(address == expected)
        #expect(address.description == text, "the description reads back")
    }

    @Test(arguments: [
        ("localhost", "'localhost' has no port; write HOST:PORT, e.g. 127.0.0.1:7800"),
        ("::1:7800", "'::1:7800': put an IPv6 host in brackets, e.g. [::1]:7800"),
        ("[::1]7800", "'[::1]7800' is not [IPV6]:PORT, e.g. [::1]:7800"),
        (":7800", "':7800' has no host; write HOST:PORT, e.g. 127.0.0.1:7800"),
        ("host:70000", "'host:70000': port '70000' is not a number from 0 to 65535"),
    ])
    func namesWhatIsWrongWithATCPAddress(text: String, message: String) {
        // The CLI prints these after the flag's name: the sentence is the contract.
        let error = #expect(throws: SocketAddress.ParseError.self) { try SocketAddress(parsingTCP: text) }
        #expect(error?.description == message)
    }

    @Test func namesWhatIsWrongWithAUnixPath() throws {
        #expect(try SocketAddress(parsingUnix: "/tmp/bus.sock") == .unix(path: "/tmp/bus.sock"))
        let empty = #expect(throws: SocketAddress.ParseError.self) { try SocketAddress(parsingUnix: "") }
        #expect(empty?.description.contains("path is empty") == true)
        let long = "/tmp/" + String(repeating: "x", count: SocketAddress.maxUnixPathBytes)
        let tooLong = #expect(throws: SocketAddress.ParseError.self) { try SocketAddress(parsingUnix: long) }
        #expect(tooLong?.description.contains("at most \(SocketAddress.maxUnixPathBytes) bytes, this one 112") == true)
    }

    @Test func localhostResolvesAlikeForTheBrokerAndItsClients() async throws {
        try await withBroker(.forTests(listeners: [.tcp(host: "localhost", port: 0)])) { _, addresses in
            guard case .tcp(let host, let port) = addresses[0] else {
                Issue.record("expected a TCP listener, got \(addresses)")
                return
            }
            #expect(host == "localhost" && port != 0)
            let client = try await MyceliumClient.connect(
                to: .tcp(host: "localhost", port: port), name: "by name", options: .forTests)
            _ = try await client.ping()
            try await client.close()
            let pair = try await HealthyPair(.tcp(host: "localhost", port: port))
            try await pair.exchange()
        }
    }

    @Test func anUnresolvableHostIsNamedByListenerAndClient() async throws {
        let address = SocketAddress.tcp(host: "no-such-host.invalid", port: 7800)
        let broker = try Broker(configuration: .forTests(listeners: [address]))
        let refused = #expect(throws: BrokerError.self) { try broker.start() }
        #expect("\(refused.map { "\($0)" } ?? "")".contains("cannot resolve host 'no-such-host.invalid'"))
        let error = await clientError { _ = try await MyceliumClient.connect(to: address, name: "lost", options: .forTests) }
        guard let error, error.code == .connectFailed, let engineError = error.underlying as? EngineError else {
            Issue.record("expected connectFailed, got \(String(describing: error))")
            return
        }
        #expect(error.address == "no-such-host.invalid:7800")
        #expect(engineError.operation == "connect no-such-host.invalid:7800")
        #expect(engineError.reason.hasPrefix("cannot resolve host 'no-such-host.invalid'"))
    }
}
