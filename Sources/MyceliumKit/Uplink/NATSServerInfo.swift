#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a NATS server's `INFO` says that the uplink uses; other keys are ignored.
package struct NATSServerInfo: Sendable, Hashable {
    /// The server's id.
    package var serverID = ""
    /// The largest message (headers plus payload) the server takes, in bytes.
    package var maxPayload = 1 << 20
    /// Whether the server takes `HPUB` and sends `HMSG`.
    package var headers = false
    /// Whether the server demands TLS, which the uplink does not speak.
    package var tlsRequired = false
    /// Other servers of the cluster clients may connect to, as `HOST:PORT`.
    package var connectURLs: [String] = []

    /// Reads the JSON of an `INFO` line.
    ///
    /// - Throws: ``UplinkError`` when the text is not a JSON object.
    package init(json: some Collection<UInt8>) throws(UplinkError) {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(json))
        } catch {
            throw UplinkError("the NATS server sent an INFO that is not valid JSON: \(error)")
        }
        serverID = document.server_id ?? ""
        maxPayload = document.max_payload ?? maxPayload
        headers = document.headers ?? false
        tlsRequired = document.tls_required ?? false
        connectURLs = document.connect_urls ?? []
    }

    // Field names follow the document's keys.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    private struct Document: Decodable {
        let server_id: String?
        let max_payload: Int?
        let headers: Bool?
        let tls_required: Bool?
        let connect_urls: [String]?
    }
}
