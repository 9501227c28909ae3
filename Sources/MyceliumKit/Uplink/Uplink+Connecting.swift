import Glibc
import Logging

/// Connecting, the handshake, and what happens when a connection fails or ends.
extension Uplink {
    /// Tries the next server that is not abandoned, or waits when every server failed once
    /// since the last wait.
    func connectNext() {
        let servers = state.pointee.servers
        guard state.pointee.abandoned.contains(false) else {
            state.pointee.retryAt = UInt64.max
            report("disconnected")
            return
        }
        let usable = state.pointee.abandoned.filter { !$0 }.count
        if state.pointee.attemptsThisRound >= usable {
            state.pointee.attemptsThisRound = 0
            if !state.pointee.outageLogged {
                state.pointee.outageLogged = true
                core.logger.warning(
                    "uplink: no NATS server answers (\(servers.map(\.description).joined(separator: ", "))); serving locally and retrying every 2 s",
                    metadata: ["servers": "\(servers.count)"])
            }
            state.pointee.retryAt = BrokerLoop.now() + Self.retryDelay + UInt64.random(in: 0...Self.retryJitter)
            return
        }
        var index = state.pointee.serverIndex
        while state.pointee.abandoned[index] { index = (index + 1) % servers.count }
        state.pointee.serverIndex = index
        let server = servers[index]
        report("connecting")
        do {
            let (fd, isComplete) = try Socket.startConnect(to: server.address)
            state.pointee.fd = fd
            state.pointee.handshakeDeadline = BrokerLoop.now() + Self.handshakeTimeout
            state.pointee.phase = isComplete ? .greeting : .connecting
            try eventLoop.register(
                fd, token: 0, events: isComplete ? EventLoop.readable : EventLoop.readable | EventLoop.writable)
        } catch {
            if state.pointee.fd >= 0 {
                Glibc.close(state.pointee.fd)
                state.pointee.fd = -1
            }
            state.pointee.phase = .waiting
            attemptFailed("\(error)")
        }
    }

    /// The TCP connect ended: go on with the handshake, or try the next server.
    func connectFinished() {
        let code = Socket.connectionResult(state.pointee.fd)
        guard code == 0 else {
            attemptFailed(String(cString: strerror(code)))
            return
        }
        state.pointee.phase = .greeting
        eventLoop.modify(state.pointee.fd, token: 0, events: EventLoop.readable)
    }

    /// The server's `INFO`: checked, its cluster's servers joined to the list, answered
    /// with `CONNECT` and `PING` during the handshake.
    func received(info: NATSServerInfo) {
        state.pointee.serverMaxPayload = info.maxPayload
        join(info.connectURLs)
        guard state.pointee.phase == .greeting else { return }
        let server = state.pointee.servers[state.pointee.serverIndex]
        if info.tlsRequired {
            state.pointee.abandoned[state.pointee.serverIndex] = true
            core.logger.error(
                "uplink: \(server) requires TLS, and TLS is not supported by the uplink; give it a NATS listener without TLS",
                metadata: ["server": "\(server)"])
            attemptFailed("TLS required")
            return
        }
        if !info.headers {
            core.logger.warning(
                "uplink: \(server) does not announce header support; HPUB may be refused (NATS 2.2 or later is needed)",
                metadata: ["server": "\(server)"])
        }
        state.pointee.output.append(NATSConnect.line(for: server, name: "mycelium-\(origin)"))
        state.pointee.output.append(Self.pingLine)
        state.pointee.phase = .handshaking
        flush()
    }

    /// The `PONG` that ends the handshake: subscriptions and buffered frames go out.
    func handshakeDone() {
        let server = state.pointee.servers[state.pointee.serverIndex]
        state.pointee.phase = .connected
        state.pointee.attemptsThisRound = 0
        state.pointee.authFailures[state.pointee.serverIndex] = 0
        state.pointee.pingsOutstanding = 0
        state.pointee.nextPingAt = BrokerLoop.now() + pingNanoseconds
        if state.pointee.everConnected {
            state.pointee.reconnects += 1
            core.logger.info(
                "uplink reconnected to \(server)",
                metadata: ["server": "\(server)", "reconnects": "\(state.pointee.reconnects)"])
        } else {
            core.logger.info("uplink connected to \(server)", metadata: ["server": "\(server)"])
        }
        state.pointee.everConnected = true
        state.pointee.outageLogged = false
        report("connected")
        startProbing(now: BrokerLoop.now())
        updateSubscriptions()
        encodePending()
        flush()
    }

    /// An `-ERR`: logged; authorization errors count against the server, and two in a row
    /// stop retrying it.
    func received(error text: String) {
        let index = state.pointee.serverIndex
        let server = state.pointee.servers[index]
        core.logger.error("uplink: \(server) sent -ERR '\(text)'", metadata: ["server": "\(server)"])
        let lowered = text.lowercased()
        guard lowered.contains("authorization") || lowered.contains("authentication") else { return }
        state.pointee.authFailures[index] += 1
        if state.pointee.authFailures[index] >= 2 {
            state.pointee.abandoned[index] = true
            core.logger.error(
                "uplink: \(server) refused the credentials twice in a row; not retrying it (check the user, password or token in its URL)",
                metadata: ["server": "\(server)"])
        }
        if state.pointee.phase == .connected {
            disconnect(reason: "authorization refused")
        } else {
            attemptFailed("authorization refused")
        }
    }

    /// Adds the cluster's announced servers (`HOST:PORT`) not known yet, with the current
    /// server's credentials.
    private func join(_ urls: [String]) {
        let current = state.pointee.servers[state.pointee.serverIndex]
        for text in urls {
            guard case .tcp(let host, let port)? = try? SocketAddress(parsingTCP: text), port != 0 else { continue }
            if state.pointee.servers.contains(where: { $0.host == host && $0.port == port }) { continue }
            state.pointee.servers.append(
                NATSURL(host: host, port: port, user: current.user, password: current.password, token: current.token))
            state.pointee.authFailures.append(0)
            state.pointee.abandoned.append(false)
            core.logger.debug("uplink: the cluster announced \(text)", metadata: ["server": "\(text)"])
        }
    }

    /// An attempt that did not reach the connected state failed: try the next server.
    func attemptFailed(_ reason: String) {
        let server = state.pointee.servers[state.pointee.serverIndex]
        core.logger.debug("uplink: cannot connect to \(server): \(reason)", metadata: ["server": "\(server)"])
        closeSocket()
        state.pointee.attemptsThisRound += 1
        advance()
    }

    /// A connected session ended: frames encoded but not written are lost and counted.
    func disconnect(reason: String) {
        guard state.pointee.phase == .connected else {
            attemptFailed(reason)
            return
        }
        let server = state.pointee.servers[state.pointee.serverIndex]
        core.logger.warning(
            "uplink disconnected from \(server): \(reason)",
            metadata: ["server": "\(server)", "lost": "\(state.pointee.unsentMessages)"])
        closeSocket()
        state.pointee.attemptsThisRound = 0
        advance()
    }

    /// Moves to the next server and tries it at once.
    private func advance() {
        state.pointee.phase = .waiting
        state.pointee.serverIndex = (state.pointee.serverIndex + 1) % state.pointee.servers.count
        report("disconnected")
        state.pointee.retryAt = 0
        connectNext()
    }

    /// Closes the socket on stop, after writing what it takes at once.
    func close(reason: String) {
        guard state.pointee.fd >= 0 else { return }
        if state.pointee.phase == .connected {
            flush()
            let server = state.pointee.servers[state.pointee.serverIndex]
            core.logger.info("uplink disconnected from \(server): \(reason)", metadata: ["server": "\(server)"])
        }
        closeSocket()
        state.pointee.phase = .waiting
        counters.connection.withLock { $0 = ("stopped", "") }
    }

    /// Forgets the connection: its descriptor, its buffered bytes and its subscriptions.
    private func closeSocket() {
        if state.pointee.fd >= 0 {
            eventLoop.unregister(state.pointee.fd)
            Glibc.close(state.pointee.fd)
            state.pointee.fd = -1
        }
        // Encoded but not written: not published after all.
        state.pointee.messagesOut -= state.pointee.unsentMessages
        state.pointee.dropped += state.pointee.unsentMessages
        state.pointee.unsentMessages = 0
        state.pointee.input.clear()
        state.pointee.output.clear()
        state.pointee.wantsWritable = false
        for index in state.pointee.subscribed.indices { state.pointee.subscribed[index] = false }
        openGates()
    }
}
