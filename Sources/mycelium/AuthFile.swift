import ContractStore
import Foundation
import MyceliumKit
import Yams

/// `serve --auth FILE`: the broker's users, read into an ``Authorization`` against the
/// catalog's message types. Every problem names `FILE:LINE` and what to do.
///
/// ```yaml
/// users:
///   pricer:
///     token_sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
///     publish: [Trade, Quote]     # message names or type ids; "*" for all
///     subscribe: ["*"]
/// ```
enum AuthFile {
    private static let userKeys = ["token_sha256", "publish", "subscribe"]

    /// Reads and checks `path`.
    ///
    /// - Throws: ``UserError`` for an unreadable file, bad YAML, a missing or unknown key, a
    ///   hash that is not 64 hex digits, a message name or id not in `types`, or two users
    ///   with one hash.
    static func load(path: String, types: MessageTypeTable) throws(UserError) -> Authorization {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw UserError(text: "cannot read auth file \(path); check the path")
        }
        func fail(_ node: Node?, _ message: String) -> UserError {
            UserError(text: "\(path):\(node?.mark?.line ?? 1): \(message)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            let syntax = YAMLSyntaxProblem(error)
            throw UserError(text: "\(path):\(max(1, syntax.line)): not valid YAML: \(syntax.problem); fix the YAML syntax")
        }
        let example = "e.g. users: { pricer: { token_sha256: HASH, publish: [Trade], subscribe: [\"*\"] } }"
        guard let top = root?.mapping else {
            throw fail(root, "an auth file is a mapping with a 'users' key, \(example)")
        }
        for (key, _) in top where key.string != "users" {
            throw fail(key, "unknown key '\(key.string ?? "?")'; an auth file has only 'users'")
        }
        guard let usersNode = top["users"] else {
            throw fail(root, "no 'users' key; list the users, \(example)")
        }
        guard let users = usersNode.mapping, !users.isEmpty else {
            throw fail(usersNode, "'users' must be a mapping of user names to their entries, with at least one user")
        }
        let byName = Dictionary(types.entries.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
        let known = Set(types.entries.map(\.id))
        var result: [Authorization.User] = []
        var hashLines: [[UInt8]: (String, Int)] = [:]
        for (key, entry) in users {
            let name = key.string ?? "?"
            guard let fields = entry.mapping else {
                throw fail(key, "user '\(name)' must be a mapping with \(userKeys.joined(separator: ", "))")
            }
            for (field, _) in fields where !userKeys.contains(field.string ?? "") {
                throw fail(
                    field,
                    "user '\(name)': unknown key '\(field.string ?? "?")'; a user has \(userKeys.joined(separator: ", "))")
            }
            for required in userKeys where fields[required] == nil {
                throw fail(
                    key,
                    "user '\(name)' has no '\(required)'; "
                        + (required == "token_sha256"
                            ? "add the hash `mycelium auth hash` prints for their token"
                            : "add a list of message names or type ids (\"*\" for all, [] for none)"))
            }
            let hashNode = fields["token_sha256"]
            let hashText = hashNode?.scalar?.string ?? ""
            guard hashText.utf8.count == 64, let hash = HexBytes.parse("0x" + hashText) else {
                throw fail(
                    hashNode,
                    "user '\(name)': token_sha256 must be 64 hex digits (a SHA-256 hash), not '\(hashText)'; print it with `mycelium auth hash`"
                )
            }
            if let (other, line) = hashLines[hash] {
                throw fail(
                    hashNode, "user '\(name)' has the same token hash as user '\(other)' (line \(line)); give each user a token")
            }
            hashLines[hash] = (name, hashNode?.mark?.line ?? 0)
            func permissions(_ field: String) throws(UserError) -> Authorization.Permissions {
                let node = fields[field]
                let items: [Node]
                if let sequence = node?.sequence {
                    items = Array(sequence)
                } else if let node, node.scalar != nil {
                    items = [node]
                } else {
                    throw fail(node, "user '\(name)': '\(field)' must be a list of message names or type ids, e.g. [Trade, 1102]")
                }
                var ids: Set<UInt16> = []
                for item in items {
                    let text = item.scalar?.string ?? ""
                    if text == "*" { return .all }
                    if let id = byName[text] ?? UInt16(text).flatMap({ known.contains($0) ? $0 : nil }) {
                        ids.insert(id)
                        continue
                    }
                    throw fail(
                        item,
                        "user '\(name)': \(field) names '\(text)', which is not a message in the catalog; use a name or type id that `mycelium contracts list` shows, or \"*\""
                    )
                }
                return .only(ids)
            }
            result.append(
                Authorization.User(
                    name: name, tokenSHA256: hash, publish: try permissions("publish"),
                    subscribe: try permissions("subscribe")))
        }
        return Authorization(users: result)
    }
}
