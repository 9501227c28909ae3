import ArgumentParser
import Glibc
import MyceliumKit

/// `--tcp HOST:PORT | --unix PATH` and `--token`: the broker a client command talks to, by
/// default `--tcp 127.0.0.1:7800` (Architecture.md, "Broker and transports"), and its access token.
struct EndpointOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The broker's TCP address (default: 127.0.0.1:7800).", valueName: "host:port"))
    var tcp: String?

    @Option(help: ArgumentHelp("The broker's Unix socket, instead of TCP.", valueName: "path"))
    var unix: String?

    @OptionGroup var tokenOptions: TokenOptions

    func validate() throws {
        if tcp != nil && unix != nil {
            throw ValidationError("give either --tcp or --unix, not both")
        }
        do {
            _ = try address()
        } catch {
            throw ValidationError(error.text)
        }
    }

    /// The address in effect: `--unix`, `--tcp`, or the default TCP address.
    ///
    /// - Throws: ``UserError`` naming the flag and what is wrong with its value.
    func address() throws(UserError) -> SocketAddress {
        if let unix { return try ListenerOptions.parseUnix(unix) }
        guard let tcp else { return ListenerOptions.defaultTCP }
        return try ListenerOptions.parseTCP(tcp)
    }

    /// Connects to ``address()`` with `digest` (the catalog's; `nil` when the command sends
    /// no contract-bound messages) and the token (``TokenOptions``) in HELLO.
    ///
    /// - Throws: ``UserError`` when the broker is unreachable, naming the address and what to
    ///   do; ``MyceliumClientError`` for anything else (e.g. a digest mismatch).
    func connect(digest: [UInt8]?, peerName: String) async throws -> MyceliumClient {
        do {
            return try await MyceliumClient.connect(
                to: address(), name: peerName, digest: digest, token: tokenOptions.effective)
        } catch let error as MyceliumClientError where error.code == .connectFailed {
            guard let target = error.address, let engineError = error.underlying as? EngineError else { throw error }
            throw UserError(text: "cannot connect to \(target): \(Self.reason(engineError))")
        }
    }

    /// `connection refused; is `mycelium serve` running?`, or the engine's own reason.
    private static func reason(_ error: EngineError) -> String {
        guard error.code != 0 else { return error.reason }
        let text = String(cString: strerror(error.code))
        let sentence = text.prefix(1).lowercased() + text.dropFirst()
        switch error.code {
        case ECONNREFUSED, ENOENT: return sentence + "; is `mycelium serve` running?"
        case EACCES: return sentence + "; check the socket file's permissions"
        default: return sentence
        }
    }
}
