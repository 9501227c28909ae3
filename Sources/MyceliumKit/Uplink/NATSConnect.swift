/// The `CONNECT` line the uplink sends after the server's `INFO`: no `+OK`s
/// (`verbose:false`), no echo of its own publishes (`echo:false`, the one-hop rule), headers
/// on, and the server's credentials from the URL.
package enum NATSConnect {
    /// `CONNECT {…}\r\n` for `server`, naming the client `name`.
    package static func line(for server: NATSURL, name: String) -> [UInt8] {
        var json = "{\"verbose\":false,\"pedantic\":false,\"echo\":false,\"headers\":true,\"no_responders\":true"
        json += ",\"protocol\":1,\"lang\":\"swift\",\"version\":"
        json.appendJSONQuoted(MyceliumVersion.current)
        json += ",\"name\":"
        json.appendJSONQuoted(name)
        if let user = server.user {
            json += ",\"user\":"
            json.appendJSONQuoted(user)
            json += ",\"pass\":"
            json.appendJSONQuoted(server.password ?? "")
        }
        if let token = server.token {
            json += ",\"auth_token\":"
            json.appendJSONQuoted(token)
        }
        return Array("CONNECT \(json)}\r\n".utf8)
    }
}
