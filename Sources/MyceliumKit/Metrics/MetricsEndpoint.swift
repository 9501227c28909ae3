import CEpoll
import Glibc
package import Logging

/// A minimal HTTP/1.1 responder for `GET /metrics`, on a thread of its own with a blocking
/// accept loop over the kit's sockets: it shares nothing with the broker's loops but what
/// `render` reads, so a scrape never waits on the data path, nor the data path on a scrape.
///
/// One request per connection (`Connection: close`), one connection at a time, each read
/// and write bounded by ``ioTimeoutSeconds``; see ``HTTPRequestHead`` for what is answered.
package final class MetricsEndpoint: Sendable {
    /// How long a scraper may take to send its request or read the answer.
    package static let ioTimeoutSeconds = 2
    /// The bound address (port 0 resolved).
    package let address: SocketAddress
    private let listener: Int32
    private let wake: Int32
    private let thread: Lock<LoopThread?>

    /// Listens on `host:port` and serves `render()`'s text as `GET /metrics`.
    ///
    /// - Throws: ``EngineError`` when the address cannot be bound (in use, not local).
    package init(host: String, port: UInt16, logger: Logger, render: @escaping @Sendable () -> String)
        throws(EngineError)
    {
        let (listener, address) = try Socket.listenTCP(host: host, port: port, backlog: 64)
        let wake = eventfd(0, Int32(EFD_CLOEXEC))
        guard wake >= 0 else {
            let code = errno
            close(listener)
            throw EngineError("metrics endpoint eventfd", code: code)
        }
        self.listener = listener
        self.wake = wake
        self.address = address
        do {
            let serving = try LoopThread(name: "mycelium-metrics") {
                Self.serve(listener: listener, wake: wake, logger: logger, render: render)
            }
            thread = Lock(serving)
        } catch {
            close(listener)
            close(wake)
            throw error
        }
    }

    /// Stops accepting, waits for the request being answered, and closes the listener.
    package func stop() {
        guard let serving = thread.withLock({ $0.take() }) else { return }
        var one: UInt64 = 1
        _ = write(wake, &one, MemoryLayout<UInt64>.size)
        serving.join()
        close(listener)
        close(wake)
    }

    private static func serve(listener: Int32, wake: Int32, logger: Logger, render: () -> String) {
        var watched = [
            pollfd(fd: listener, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&watched, 2, -1)
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 || watched[1].revents != 0 { return }
            guard let fd = Socket.accept(listener: listener, isTCP: true) else { continue }
            answer(fd, logger: logger, render: render)
            close(fd)
        }
    }

    /// Reads one request head and writes the answer; the caller closes `fd`.
    private static func answer(_ fd: Int32, logger: Logger, render: () -> String) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        var timeout = timeval(tv_sec: ioTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var head: HTTPRequestHead.Parse = .incomplete
        while case .incomplete = head {
            let count = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { chunk -> Int in
                let count = recv(fd, chunk.baseAddress, chunk.count, 0)
                if count > 0 { received += chunk[..<count] }
                return count
            }
            // The peer left or was too slow: nothing to answer.
            if count <= 0 { return }
            head = HTTPRequestHead.parse(received)
        }
        let response: HTTPResponse
        switch head {
        case .incomplete:
            return
        case .malformed(let reason):
            logger.debug("metrics endpoint: bad request", metadata: ["peer": "\(Socket.peerAddress(fd))", "reason": "\(reason)"])
            response = HTTPResponse(status: .badRequest, body: "bad request: \(reason)\n")
        case .request(let request):
            response = request.response(render: render)
        }
        let bytes = response.encoded()
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
        shutdown(fd, Int32(SHUT_WR))
    }
}
