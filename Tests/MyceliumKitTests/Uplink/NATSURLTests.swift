import MyceliumKit
import Testing

@Suite struct NATSURLTests {
    private func error(_ text: String) -> String {
        do {
            _ = try NATSURL(parsing: text)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func readsHostsPortsAndCredentials() throws {
        #expect(try NATSURL(parsing: "nats://127.0.0.1:4222") == NATSURL(host: "127.0.0.1", port: 4222))
        #expect(try NATSURL(parsing: "nats://nats.example") == NATSURL(host: "nats.example", port: 4222))
        #expect(try NATSURL(parsing: "NATS://[::1]:5000/") == NATSURL(host: "::1", port: 5000))
        #expect(try NATSURL(parsing: "nats://[::1]") == NATSURL(host: "::1", port: 4222))
        let user = try NATSURL(parsing: "nats://alice:s%40cret@10.0.0.7:4223")
        #expect(user == NATSURL(host: "10.0.0.7", port: 4223, user: "alice", password: "s@cret"))
        #expect(user.description == "nats://10.0.0.7:4223", "credentials are never printed")
        #expect(try NATSURL(parsing: "nats://t0ken@localhost:4222").token == "t0ken")
    }

    @Test func explainsEveryMistake() {
        let usage = "write nats://HOST:PORT, nats://USER:PASS@HOST:PORT or nats://TOKEN@HOST:PORT"
        #expect(error("127.0.0.1:4222") == "'127.0.0.1:4222' is not a NATS URL; \(usage)")
        #expect(error("http://h:1") == "'http://h:1' uses scheme 'http'; the uplink speaks only nats://; \(usage)")
        #expect(
            error("tls://h:4222")
                == "'tls://h:4222': TLS is not supported by the uplink; connect it to a NATS listener without TLS (nats://)")
        #expect(error("nats://h:4222/path") == "'nats://h:4222/path': a NATS URL has no path or query; \(usage)")
        #expect(error("nats://:pw@h:4222") == "'nats://:pw@h:4222' has a password but no user name; \(usage)")
        #expect(error("nats://@h:4222") == "'nats://@h:4222' has an empty token before '@'; \(usage)")
        #expect(error("nats://h:99999") == "'nats://h:99999': 'h:99999': port '99999' is not a number from 0 to 65535")
        #expect(
            error("nats://h:0")
                == "'nats://h:0': port 0 is not a server's port; give the NATS server's client port, e.g. 4222")
        #expect(error("nats://") == "'nats://' has no host; \(usage)")
        #expect(error("nats://tok@") == "'nats://tok@' has no host; \(usage)")
    }
}
