import Logging
import MyceliumKit
import MyceliumTestSupport
import Synchronization
import Testing

@Suite struct MetricsEndpointTests {
    /// Runs `body` with an endpoint on 127.0.0.1 port 0 that renders `scrape N` for the Nth
    /// scrape; stops it after.
    private func withEndpoint(_ body: (SocketAddress) async throws -> Void) async throws {
        let scrapes = Atomic(0)
        let endpoint = try MetricsEndpoint(host: "127.0.0.1", port: 0, logger: Logger(label: "test")) {
            "scrape \(scrapes.add(1, ordering: .relaxed).newValue)\n"
        }
        defer { endpoint.stop() }
        try await body(endpoint.address)
    }

    @Test func answersGetMetricsWithPrometheusText() async throws {
        try await withEndpoint { address in
            let answer = try await HTTPExchange.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", to: address)
            #expect(answer.status == 200)
            #expect(answer.head.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"))
            #expect(answer.head.contains("Content-Length: 9") && answer.head.contains("Connection: close"))
            #expect(answer.body == "scrape 1\n")
            let withQuery = try await HTTPExchange.send("GET /metrics?x=1 HTTP/1.0\r\n\r\n", to: address)
            #expect(withQuery.status == 200 && withQuery.body == "scrape 2\n")
        }
    }

    @Test func malformedRequestsGet400AndTheEndpointKeepsServing() async throws {
        try await withEndpoint { address in
            let cases: [(String, String)] = [
                ("garbage\r\n\r\n", "the request line is not 'METHOD /path HTTP/1.1'"),
                ("GET /metrics HTTP/2.0\r\n\r\n", "the protocol is 'HTTP/2.0', not HTTP/1.1 or HTTP/1.0"),
                ("GET metrics HTTP/1.1\r\n\r\n", "the request line is not 'METHOD /path HTTP/1.1'"),
                ("GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n", "a header line has no ':'"),
                (
                    "GET /metrics HTTP/1.1\r\nX: " + String(repeating: "a", count: 9000) + "\r\n\r\n",
                    "the request head is longer than 8192 bytes"
                ),
            ]
            for (request, reason) in cases {
                let answer = try await HTTPExchange.send(request, to: address)
                #expect(answer.status == 400, "\(request.prefix(40))")
                #expect(answer.body == "bad request: \(reason)\n")
            }
            #expect(try await HTTPExchange.send("GET /other HTTP/1.1\r\n\r\n", to: address).status == 404)
            let post = try await HTTPExchange.send("POST /metrics HTTP/1.1\r\n\r\n", to: address)
            #expect(post.status == 405 && post.head.contains("Allow: GET"))
            let good = try await HTTPExchange.send("GET /metrics HTTP/1.1\r\n\r\n", to: address)
            #expect(good.status == 200 && good.body == "scrape 1\n", "nothing rendered for the refused requests")
        }
    }

    @Test func concurrentScrapesAreAllAnswered() async throws {
        try await withEndpoint { address in
            let bodies = try await withThrowingTaskGroup(of: HTTPExchange.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await HTTPExchange.send("GET /metrics HTTP/1.1\r\n\r\n", to: address) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(bodies.allSatisfy { $0.status == 200 })
            #expect(Set(bodies.map(\.body)) == ["scrape 1\n", "scrape 2\n", "scrape 3\n", "scrape 4\n"])
        }
    }

    @Test func aBoundAddressIsRefusedWithTheEngineError() throws {
        let first = try MetricsEndpoint(host: "127.0.0.1", port: 0, logger: Logger(label: "test")) { "" }
        defer { first.stop() }
        guard case .tcp(_, let port) = first.address else {
            Issue.record("not TCP: \(first.address)")
            return
        }
        #expect {
            _ = try MetricsEndpoint(host: "127.0.0.1", port: port, logger: Logger(label: "test")) { "" }
        } throws: { error in
            "\(error)".contains("another process listens there")
        }
    }
}
