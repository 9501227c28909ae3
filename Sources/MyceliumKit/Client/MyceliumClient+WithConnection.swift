extension MyceliumClient {
    /// Connects, runs `body` with the client, and closes it on every way out: when `body`
    /// returns, throws, or ends because the task was cancelled.
    ///
    /// ```swift
    /// let latency = try await MyceliumClient.withConnection(to: address, name: "probe") { client in
    ///     try await client.publish(typeID: 1101, payload: trade)
    ///     return try await client.ping()
    /// }
    /// ```
    ///
    /// - Parameters: as ``connect(to:name:digest:token:pool:options:)``; `body` gets the client,
    ///   which must not be used after it returns.
    /// - Returns: what `body` returns, once ``close(timeout:)`` confirmed what it published.
    /// - Throws: what ``connect(to:name:digest:token:pool:options:)`` throws; what `body` throws
    ///   (the client is closed first, without waiting for the broker to confirm, and a close
    ///   error is dropped in favour of `body`'s); otherwise what ``close(timeout:)`` throws.
    public static func withConnection<Result>(
        to address: SocketAddress, name: String, digest: [UInt8]? = nil, token: String? = nil,
        pool: (any PoolBackend)? = nil,
        options: Options = Options(), isolation: isolated (any Actor)? = #isolation,
        _ body: (MyceliumClient) async throws -> Result
    ) async throws -> Result {
        let client = try await connect(to: address, name: name, digest: digest, token: token, pool: pool, options: options)
        let result: Result
        do {
            result = try await body(client)
        } catch {
            try? await client.close(timeout: .zero)
            throw error
        }
        try await client.close()
        return result
    }
}
