import Foundation
import Glibc
package import MyceliumKit

/// A real `nats-server` (Debian's `/usr/sbin/nats-server`) on a free loopback port, for the
/// uplink tests: started by ``init(port:clusterPort:routes:configuration:extra:)``, ready once it accepts
/// connections, ended by ``stop()`` (tests must call it; `deinit` kills a forgotten one).
///
/// Started as a ``ChildProcess``, its output appended to a log file (``output``).
package final class NATSServer: @unchecked Sendable {
    /// Where the binary is; `.ci/run` installs it.
    package static let executable = "/usr/sbin/nats-server"

    /// Whether the binary is installed.
    package static var isInstalled: Bool { access(executable, X_OK) == 0 }

    /// The client port.
    package let port: UInt16
    /// The monitoring (HTTP) port: `/connz?subs=1` lists each client's subscriptions.
    package let monitorPort: UInt16
    private let process: ChildProcess
    private let directory = TemporaryDirectory()

    /// `nats://127.0.0.1:PORT`.
    package var url: String { "nats://127.0.0.1:\(port)" }
    /// The client address.
    package var address: SocketAddress { .tcp(host: "127.0.0.1", port: port) }

    /// Starts a server on free ports (or on `port`); `clusterPort` and `routes` (other nodes'
    /// cluster ports) make it a node of cluster `test`; `configuration` is the text of a
    /// configuration file (e.g. `max_payload: 2048`); `extra` are more arguments (e.g.
    /// `--user`). Waits (at most 30 s) until it accepts connections. A port picked here can be
    /// taken by another test before the server binds it (``freePort()`` only checks): when the
    /// server exits at start saying an address is in use, it starts again on newly picked
    /// ports, up to ``startAttempts`` times; then, or when it exits for another reason, throws
    /// with its log.
    package init(
        port: UInt16? = nil, clusterPort: UInt16? = nil, routes: [UInt16] = [], configuration: String? = nil,
        extra: [String] = []
    ) async throws {
        if let configuration { try configuration.write(toFile: directory.path + "/nats.conf", atomically: true, encoding: .utf8) }
        var attempt = 1
        while true {
            let (clientPort, monitorPort) = (try port ?? Self.freePort(), try Self.freePort())
            let process = try await Self.start(
                port: clientPort, monitorPort: monitorPort, clusterPort: clusterPort, routes: routes,
                configured: configuration != nil, extra: extra, in: directory)
            if process.isRunning {
                (self.port, self.monitorPort, self.process) = (clientPort, monitorPort, process)
                return
            }
            let output = Self.output(in: directory)
            guard output.contains("address already in use") && attempt < Self.startAttempts else {
                throw TimedOut("nats-server on \(clientPort) exited at start (attempt \(attempt)): \(output)")
            }
            attempt += 1
        }
    }

    /// How often ``init(port:clusterPort:routes:configuration:extra:)`` starts a server whose
    /// port was taken meanwhile.
    private static let startAttempts = 5

    /// Starts the binary and waits until it accepts on `port` or exits.
    private static func start(
        port: UInt16, monitorPort: UInt16, clusterPort: UInt16?, routes: [UInt16], configured: Bool, extra: [String],
        in directory: TemporaryDirectory
    ) async throws -> ChildProcess {
        var arguments = ["-a", "127.0.0.1", "-p", "\(port)", "-m", "\(monitorPort)"] + extra
        if configured { arguments += ["-c", directory.path + "/nats.conf"] }
        if let clusterPort {
            arguments += ["--cluster_name", "test", "--cluster", "nats://127.0.0.1:\(clusterPort)"]
            if !routes.isEmpty { arguments += ["--routes", routes.map { "nats://127.0.0.1:\($0)" }.joined(separator: ",")] }
        }
        // Each attempt's log starts empty, so that an exit is judged by its own lines.
        let log = directory.path + "/nats.log"
        unlink(log)
        let process = try ChildProcess(
            executable, arguments, environment: ProcessInfo.processInfo.environment, output: .file(log))
        let address = SocketAddress.tcp(host: "127.0.0.1", port: port)
        try await waitUntil("nats-server accepting on \(port)", timeout: .seconds(30), detail: output(in: directory)) {
            !process.isRunning || (try? TestConnection(address, timeoutSeconds: 1)) != nil
        }
        return process
    }

    deinit {
        // The process's own deinit kills it if it still runs.
        directory.remove()
    }

    /// What the server printed so far.
    package var output: String { Self.output(in: directory) }

    private static func output(in directory: TemporaryDirectory) -> String {
        (try? String(contentsOfFile: directory.path + "/nats.log", encoding: .utf8)) ?? ""
    }

    /// Ends the server (SIGTERM) and waits (at most 10 s) until it exited.
    package func stop() async throws {
        guard process.isRunning else { return }
        process.send(SIGTERM)
        try await waitUntil("nats-server exit", timeout: .seconds(10)) { !process.isRunning }
    }

    /// Waits until `clients` clients of this server subscribe to `subject` (its monitoring
    /// endpoint lists them).
    package func waitForSubscription(_ subject: String, clients: Int, timeout: Duration = .seconds(20)) async throws {
        let monitor = SocketAddress.tcp(host: "127.0.0.1", port: monitorPort)
        _ = try await eventually(
            "a subscription to \(subject) on nats-server \(port)", timeout: timeout,
            { try await HTTPExchange.send("GET /connz?subs=1 HTTP/1.0\r\n\r\n", to: monitor).body },
            until: { $0.components(separatedBy: "\"\(subject)\"").count - 1 >= clients })
    }

    /// A port nothing uses now, below the kernel's ephemeral range (32768 and up): a port
    /// from that range may meanwhile become the local end of any outgoing connection — even a
    /// broker's own attempt to reach the server that is not up yet (a TCP self-connect) — and
    /// the server could then not bind it. Tries at most 200 random ports.
    package static func freePort() throws -> UInt16 {
        for _ in 0..<200 {
            let port = UInt16.random(in: 10_000..<32_768)
            if try isFree(port) { return port }
        }
        throw EngineError("free port", code: EADDRINUSE, reason: "no free port among 200 tried in 10000-32767")
    }

    /// Whether a listener could bind `port` on 127.0.0.1 now.
    private static func isFree(_ port: UInt16) throws -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw EngineError("free port socket", code: errno) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
