import ContractStore
import Foundation
import Yams

/// `serve --config FILE`: a YAML mapping whose keys are `serve`'s flag names (repeatable
/// flags as lists), e.g.
///
/// ```yaml
/// pool: arena
/// tcp: [127.0.0.1:7800, "[::1]:7800"]
/// max-pending: 16MiB
/// uplink: [nats://10.0.0.7:4222, nats://10.0.0.8:4222]
/// uplink-types: [Trade, Quote]
/// ```
struct ServeConfigFile {
    static let keys: Set<String> = [
        "pool", "tcp", "unix", "catalog", "loops", "max-payload", "max-pending", "slow-consumer", "max-connections",
        "max-subscriptions", "drain-timeout", "trim-interval", "copy-threshold", "pool-budget", "auth", "metrics", "uplink",
        "uplink-types", "uplink-prefix", "uplink-buffer", "uplink-probe-interval",
    ]

    let path: String
    private let values: [String: Any]

    /// Reads and checks the file: it must be a mapping of known keys.
    init(path: String) throws(UserError) {
        self.path = path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw UserError(text: "cannot read config file \(path); check the path")
        }
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            let syntax = YAMLSyntaxProblem(error)
            let line = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(max(0, syntax.line - 1)).first
            // An unquoted [::1]:7800 starts a YAML list.
            let advice =
                line.map { $0.contains("[") && $0.contains("]:") } == true
                ? "quote an IPv6 listener, e.g. tcp: \"[::1]:7800\"" : "fix the YAML syntax"
            throw UserError(text: "config file \(path):\(max(1, syntax.line)): not valid YAML: \(syntax.problem); \(advice)")
        }
        guard let mapping = document as? [String: Any] else {
            throw UserError(text: "config file \(path) must be a mapping of serve's flag names to values, e.g. 'pool: arena'")
        }
        if let unknown = mapping.keys.sorted().first(where: { !Self.keys.contains($0) }) {
            throw UserError(
                text:
                    "config file \(path): unknown key '\(unknown)'; use serve's flag names: \(Self.keys.sorted().joined(separator: ", "))"
            )
        }
        values = mapping
    }

    /// The value of a single-valued key, as text.
    func string(_ key: String) throws(UserError) -> String? {
        guard let value = values[key] else { return nil }
        switch value {
        case let text as String: return text
        case let number as Int: return String(number)
        case let number as Double: return String(number)
        default:
            throw UserError(text: "config file \(path): '\(key)' must be a single value, not \(type(of: value))")
        }
    }

    /// The values of a repeatable key: one value or a list.
    func strings(_ key: String) throws(UserError) -> [String]? {
        guard let value = values[key] else { return nil }
        if let list = value as? [Any] {
            return try list.map { (item) throws(UserError) -> String in
                guard let text = item as? String else {
                    throw UserError(text: "config file \(path): every entry of '\(key)' must be text, e.g. 127.0.0.1:7800")
                }
                return text
            }
        }
        return try string(key).map { [$0] }
    }
}
