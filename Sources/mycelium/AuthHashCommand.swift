import ArgumentParser
import Foundation
import MyceliumKit

/// `mycelium auth hash`: reads a token from stdin, prints its SHA-256 as 64 hex digits for
/// an auth file's `token_sha256`.
struct AuthHashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print the SHA-256 of a token read from stdin, for an auth file's token_sha256.",
        discussion: """
            Reads the token from stdin (one trailing newline is dropped), so it never appears in \
            the process list or shell history: e.g. `openssl rand -hex 16 | tee pricer.token | \
            mycelium auth hash`. A token has 16-1024 bytes of text without NUL; make it random.
            """
    )

    func run() throws {
        try reportingErrors {
            let input = FileHandle.standardInput.readDataToEndOfFile()
            print(HexBytes.digits(Authorization.tokenSHA256(try Self.token(from: Array(input)))))
        }
    }

    /// The token in `input`: without one trailing `\n` (or `\r\n`), checked.
    static func token(from input: [UInt8]) throws(UserError) -> String {
        var bytes = input[...]
        if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        guard bytes.count >= Hello.minTokenByteCount else {
            throw UserError(
                text:
                    "the token has \(bytes.count) bytes; a token needs at least \(Hello.minTokenByteCount) random bytes (e.g. `openssl rand -hex 16`), or it could be guessed"
            )
        }
        guard bytes.count <= Hello.maxTokenByteCount else {
            throw UserError(
                text: "the token has \(bytes.count) bytes; a token has at most \(Hello.maxTokenByteCount); use a shorter one")
        }
        guard let token = String(validating: bytes, as: UTF8.self), !bytes.contains(0) else {
            throw UserError(text: "the token is not UTF-8 text without NUL; use printable text, e.g. `openssl rand -hex 16`")
        }
        return token
    }
}
