import CCrypto

/// SHA-256 through the system's libcrypto (OpenSSL), so the first build compiles no copy of
/// BoringSSL: the catalog only hashes a few kilobytes of text per import.
enum SHA256 {
    /// The 32-byte digest of the UTF-8 bytes of `text`.
    static func digest(of text: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        _ = CCrypto.SHA256(&bytes, bytes.count, &digest)
        return digest
    }
}
