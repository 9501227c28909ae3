package import MyceliumKit

/// A ``TestConnection`` for async tests: its blocking reads and writes run on a thread of
/// its own (a ``TestThread``) and are awaited, so they never hold a cooperative thread.
///
/// ```swift
/// let subscriber = try await TestClient(address)
/// try await subscriber.subscribe([TestTypes.small])
/// #expect(try await subscriber.readFrame().payload == [1])
/// ```
package final class TestClient: Sendable {
    private let thread: TestThread
    private let connection: TestConnection

    /// Connects to `address`; see ``TestConnection/init(_:timeoutSeconds:receiveBufferBytes:)``.
    package init(_ address: SocketAddress, timeoutSeconds: Int = 5, receiveBufferBytes: Int32? = nil) async throws {
        let thread = TestThread(name: "test client \(address)")
        self.thread = thread
        do {
            connection = try await thread.run {
                try TestConnection(address, timeoutSeconds: timeoutSeconds, receiveBufferBytes: receiveBufferBytes)
            }
        } catch {
            thread.stop()
            throw error
        }
    }

    deinit { thread.stop() }

    /// Connects `count` clients to `address`, one after the other.
    package static func connect(_ count: Int, to address: SocketAddress) async throws -> [TestClient] {
        var clients: [TestClient] = []
        for _ in 0..<count { clients.append(try await TestClient(address)) }
        return clients
    }

    /// The socket, e.g. for `setsockopt`.
    package var fd: Int32 { connection.fd }

    /// Runs `body` with the connection on the client's thread: for loops over many frames,
    /// which would otherwise hop threads once a frame.
    package func perform<T: Sendable>(_ body: @escaping @Sendable (TestConnection) throws -> T) async throws -> T {
        let connection = self.connection
        return try await thread.run { try body(connection) }
    }

    /// See ``TestConnection/send(_:)-(Array<UInt8>)``.
    package func send(_ bytes: [UInt8]) async throws { try await perform { try $0.send(bytes) } }

    /// See ``TestConnection/send(typeID:payload:)``.
    package func send(typeID: UInt16, payload: [UInt8]) async throws {
        try await perform { try $0.send(typeID: typeID, payload: payload) }
    }

    /// See ``TestConnection/send(_:)-(ControlFrame)``.
    package func send(_ frame: ControlFrame) async throws { try await perform { try $0.send(frame) } }

    /// See ``TestConnection/hello(name:token:)``.
    package func hello(name: String = "test", token: String?) async throws {
        try await perform { try $0.hello(name: name, token: token) }
    }

    /// See ``TestConnection/subscribe(_:)``.
    package func subscribe(_ ids: [UInt16]) async throws { try await perform { try $0.subscribe(ids) } }

    /// See ``TestConnection/sync()``.
    @discardableResult
    package func sync() async throws -> [TestConnection.Frame] { try await perform { try $0.sync() } }

    /// See ``TestConnection/readFrame()``.
    package func readFrame() async throws -> TestConnection.Frame { try await perform { try $0.readFrame() } }

    /// See ``TestConnection/expectError(_:)``.
    @discardableResult
    package func expectError(_ code: WireErrorCode) async throws -> String {
        try await perform { try $0.expectError(code) }
    }

    /// See ``TestConnection/isClosedByPeer()``.
    package func isClosedByPeer() async throws -> Bool { try await perform { $0.isClosedByPeer() } }
}
