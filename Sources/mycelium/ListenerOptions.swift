import ArgumentParser
import Foundation
import MyceliumKit

/// `--tcp HOST:PORT` and `--unix PATH`, for `serve` (repeatable) and client commands.
enum ListenerOptions {
    /// The default TCP listener and client address.
    static let defaultTCP = SocketAddress.tcp(host: "127.0.0.1", port: 7800)

    /// The default Unix socket: `$TMPDIR/mycelium.sock`, `/tmp` when `TMPDIR` is unset.
    static var defaultUnix: SocketAddress {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return .unix(path: (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + "/mycelium.sock")
    }

    /// The listeners: the given ones (TCP first), or both defaults when none is given.
    static func listeners(tcp: [String], unix: [String]) throws(UserError) -> [SocketAddress] {
        guard !tcp.isEmpty || !unix.isEmpty else { return [defaultTCP, defaultUnix] }
        var listeners: [SocketAddress] = []
        for text in tcp { listeners.append(try parseTCP(text)) }
        for path in unix { listeners.append(try parseUnix(path)) }
        return listeners
    }

    /// One `--tcp HOST:PORT`.
    static func parseTCP(_ text: String) throws(UserError) -> SocketAddress {
        do {
            return try SocketAddress(parsingTCP: text)
        } catch {
            throw UserError(text: "--tcp \(error)")
        }
    }

    /// One `--unix PATH`.
    static func parseUnix(_ path: String) throws(UserError) -> SocketAddress {
        do {
            return try SocketAddress(parsingUnix: path)
        } catch {
            throw UserError(text: "--unix \(error)")
        }
    }
}
