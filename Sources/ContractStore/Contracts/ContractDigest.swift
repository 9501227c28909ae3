import MyceliumCore
import MyceliumHashing

/// The digest that identifies a contract set on the wire (HELLO), exactly as Architecture.md
/// renders it: SHA-256 over the messages sorted by type id, each as `type_id name\n`
/// followed by `ordinal name canonical_type size\n` per field. Domain, description and
/// metadata are left out, so only a layout change changes the digest.
public enum ContractDigest {
    /// The text the digest is computed over.
    public static func rendering(of messages: some Sequence<MessageContract>) -> String {
        var text = ""
        for message in messages.sorted(by: { $0.typeID < $1.typeID }) {
            text += "\(message.typeID) \(message.name)\n"
            for field in message.fields {
                text += "\(field.ordinal) \(field.name) \(field.type.canonicalName) \(field.size)\n"
            }
        }
        return text
    }

    /// SHA-256 of ``rendering(of:)``: 32 bytes.
    public static func digest(of messages: some Sequence<MessageContract>) -> [UInt8] {
        SHA256.digest(of: rendering(of: messages))
    }

    /// Lowercase hex of a digest, as the CLI prints it.
    public static func hex(_ digest: [UInt8]) -> String {
        HexBytes.digits(digest)
    }
}
