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
    /// `tcpFile` and `unixFile` name the config file a list came from, for its errors.
    static func listeners(
        tcp: [String], unix: [String], tcpFile: String? = nil, unixFile: String? = nil
    ) throws(UserError) -> [SocketAddress] {
        guard !tcp.isEmpty || !unix.isEmpty else { return [defaultTCP, defaultUnix] }
        var listeners: [SocketAddress] = []
        for text in tcp { listeners.append(try parseTCP(text, configFile: tcpFile)) }
        for path in unix { listeners.append(try parseUnix(path, configFile: unixFile)) }
        return listeners
    }

    /// One `--tcp HOST:PORT` (or `tcp:` value of `configFile`).
    static func parseTCP(_ text: String, configFile: String? = nil) throws(UserError) -> SocketAddress {
        do {
            return try SocketAddress(parsingTCP: text)
        } catch {
            guard let configFile else { throw UserError(text: "--tcp \(error)") }
            // Unquoted, [::1]:7800 is a YAML list: the file needs quotes where a flag does not.
            let isIPv6 = !text.hasPrefix("[") && text.count(where: { $0 == ":" }) > 1
            let quoting = isIPv6 ? ", quoted in YAML: tcp: \"[::1]:7800\"" : ""
            throw UserError(text: "config file \(configFile): tcp \(error)\(quoting)")
        }
    }

    /// One `--unix PATH` (or `unix:` value of `configFile`).
    static func parseUnix(_ path: String, configFile: String? = nil) throws(UserError) -> SocketAddress {
        do {
            return try SocketAddress(parsingUnix: path)
        } catch {
            throw UserError(text: configFile.map { "config file \($0): unix \(error)" } ?? "--unix \(error)")
        }
    }
}
