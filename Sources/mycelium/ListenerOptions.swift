import ArgumentParser
import Foundation
import MyceliumKit

/// `--tcp HOST:PORT` and `--unix PATH`, for `serve` (repeatable) and client commands.
enum ListenerOptions {
    /// The default TCP listener and client address.
    static let defaultTCP = ListenerAddress.tcp(host: "127.0.0.1", port: 7800)

    /// The default Unix socket: `$TMPDIR/mycelium.sock`, `/tmp` when `TMPDIR` is unset.
    static var defaultUnix: ListenerAddress {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return .unix(path: (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + "/mycelium.sock")
    }

    /// The listeners: the given ones (TCP first), or both defaults when none is given.
    static func listeners(tcp: [String], unix: [String]) throws(UserError) -> [ListenerAddress] {
        guard !tcp.isEmpty || !unix.isEmpty else { return [defaultTCP, defaultUnix] }
        var listeners: [ListenerAddress] = []
        for text in tcp { listeners.append(try parseTCP(text)) }
        for path in unix {
            guard !path.isEmpty else { throw UserError(text: "--unix needs a path") }
            listeners.append(.unix(path: path))
        }
        return listeners
    }

    /// One `HOST:PORT`.
    static func parseTCP(_ text: String) throws(UserError) -> ListenerAddress {
        do {
            return try ListenerAddress(parsingTCP: text)
        } catch {
            throw UserError(text: "--tcp \(error)")
        }
    }
}
