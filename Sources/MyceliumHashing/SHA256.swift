import CCrypto

/// SHA-256 through the system's libcrypto (OpenSSL), so the first build compiles no copy of
/// BoringSSL. The catalog hashes a few kilobytes of contract text per import; the broker
/// hashes one token per HELLO when access control is on (``BrokerConfiguration/authorization``).
///
/// ```swift
/// let digest = SHA256.digest(of: "text")        // 32 bytes
/// ```
package enum SHA256 {
    /// Bytes in a digest.
    package static let byteCount = Int(SHA256_DIGEST_LENGTH)

    /// The 32-byte digest of the UTF-8 bytes of `text`.
    package static func digest(of text: String) -> [UInt8] {
        digest(of: Array(text.utf8))
    }

    /// The 32-byte digest of `bytes`.
    package static func digest(of bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: byteCount)
        bytes.withUnsafeBufferPointer { input in
            _ = CCrypto.SHA256(input.baseAddress, input.count, &digest)
        }
        return digest
    }
}
