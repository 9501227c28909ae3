import Foundation
import MyceliumHashing

extension Catalog {
    /// Imports a contract file into the catalog in one transaction.
    ///
    /// The set is keyed by its `schema.id` (or the file name): importing it again replaces
    /// that set. Nothing is written when the file has any error, when a message clashes with
    /// another set, or when a message's layout changed or a message was removed without a
    /// raised `schema_version` / `schema.version` (unless `force`). An identical file is a
    /// no-op (``ImportReport/Outcome/unchanged``).
    ///
    /// - Parameters:
    ///   - yaml: the file's text.
    ///   - file: the name diagnostics and history use.
    ///   - force: accept layout changes and removals without a version increase.
    ///   - dryRun: validate and report, then roll back.
    /// - Throws: ``ContractError`` for an invalid file, ``CatalogError`` for a refused import
    ///   or an unwritable catalog.
    public func importContracts(yaml: String, file: String, force: Bool = false, dryRun: Bool = false) throws -> ImportReport {
        try importContracts(ContractParser.parse(yaml: yaml, file: file), force: force, dryRun: dryRun)
    }

    /// Imports an already parsed file (see ``importContracts(yaml:file:force:dryRun:)``); the
    /// CLI parses first so that an invalid file never creates a catalog.
    ///
    /// - Throws: ``CatalogError`` for a refused import or an unwritable catalog.
    public func importContracts(_ parsed: ContractParser.Result, force: Bool = false, dryRun: Bool = false) throws -> ImportReport
    {
        let set = parsed.set
        if isReadOnly && !dryRun {
            throw CatalogError(.readOnly, path: path, "is read-only; make it writable (chmod u+w)")
        }
        do {
            return try database.transaction(commit: !dryRun) { () throws -> ImportReport in
                let all = try messages()
                let ownedKeys = try database.prepare("SELECT name, set_key FROM messages").rows {
                    ($0.text(0) ?? "", $0.text(1) ?? "")
                }
                let owner = Dictionary(ownedKeys, uniquingKeysWith: { first, _ in first })
                let old = all.filter { owner[$0.name] == set.key }
                let others = all.filter { owner[$0.name] != set.key }
                try checkClashes(set, others: others, owner: owner)

                let fingerprint = Self.fingerprint(of: set)
                let stored = try database.prepare("SELECT fingerprint, version FROM schemas WHERE set_key = ?", [.text(set.key)])
                    .rows { ($0.blob(0), $0.int(1)) }.first
                if let stored, stored.0 == fingerprint {
                    // A set imported before the catalog kept contract text gets it now.
                    try database.run(
                        "UPDATE schemas SET text = ? WHERE set_key = ? AND text IS NULL", [.text(parsed.text), .text(set.key)])
                    return report(set, parsed.warnings, .unchanged, [], forced: false, dryRun: dryRun, digest: all)
                }
                let changes = Self.changes(from: old, to: set.messages)
                let breaking = breakingProblems(changes, old: old, new: set, oldVersion: stored?.1)
                if !breaking.isEmpty && !force { throw CatalogError(.breakingChange, path: path, problems: breaking) }
                let outcome: ImportReport.Outcome = stored == nil ? .created : .updated
                try write(set, text: parsed.text, fingerprint: fingerprint, outcome: outcome, changes: changes)
                return report(
                    set, parsed.warnings, outcome, changes, forced: !breaking.isEmpty,
                    dryRun: dryRun, digest: others + set.messages)
            }
        } catch let error as SQLiteError {
            throw failure(error, doing: "import")
        }
    }

    private func report(
        _ set: ContractSet, _ warnings: [ContractDiagnostic], _ outcome: ImportReport.Outcome, _ changes: [ImportReport.Change],
        forced: Bool, dryRun: Bool, digest messages: [MessageContract]
    ) -> ImportReport {
        ImportReport(
            setKey: set.key, outcome: outcome, changes: changes, set: set, warnings: warnings, forced: forced, dryRun: dryRun,
            catalogDigest: ContractDigest.digest(of: messages))
    }

    /// A name or type id already owned by another set is an error.
    private func checkClashes(_ set: ContractSet, others: [MessageContract], owner: [String: String]) throws(CatalogError) {
        var problems: [String] = []
        for message in set.messages {
            if let other = others.first(where: { $0.name == message.name }) {
                problems.append(
                    "message \(message.name) in \(set.source) is already defined by set '\(owner[other.name] ?? "?")'; rename it or remove it from one set"
                )
            } else if let other = others.first(where: { $0.typeID == message.typeID }) {
                problems.append(
                    "type id \(message.typeID) of message \(message.name) in \(set.source) is already used by \(other.name) "
                        + "of set '\(owner[other.name] ?? "?")'; pick another tlv_type")
            }
        }
        if !problems.isEmpty { throw CatalogError(.conflict, path: path, problems: problems) }
    }

    /// Message-level differences between the stored set and the new one.
    static func changes(from old: [MessageContract], to new: [MessageContract]) -> [ImportReport.Change] {
        var changes: [ImportReport.Change] = []
        for message in new {
            guard let previous = old.first(where: { $0.name == message.name }) else {
                changes.append(.init(kind: .added, name: message.name, detail: "\(message.maxPayload) bytes"))
                continue
            }
            if previous.maxPayload != message.maxPayload {
                changes.append(
                    .init(kind: .resized, name: message.name, detail: "\(previous.maxPayload) -> \(message.maxPayload) bytes"))
            } else if previous.layout != message.layout || previous.typeID != message.typeID {
                let detail = previous.typeID != message.typeID ? "type id \(previous.typeID) -> \(message.typeID)" : "fields"
                changes.append(.init(kind: .changedLayout, name: message.name, detail: detail))
            } else if previous != message {
                changes.append(.init(kind: .changedMetadata, name: message.name, detail: ""))
            }
        }
        for message in old where !new.contains(where: { $0.name == message.name }) {
            changes.append(.init(kind: .removed, name: message.name, detail: "\(message.maxPayload) bytes"))
        }
        return changes
    }

    /// Removals and layout changes not covered by a version increase.
    private func breakingProblems(
        _ changes: [ImportReport.Change], old: [MessageContract], new: ContractSet, oldVersion: Int?
    ) -> [String] {
        if let oldVersion, let version = new.schema?.version, version > oldVersion { return [] }
        var problems: [String] = []
        for change in changes {
            switch change.kind {
            case .removed:
                problems.append(
                    "\(new.source) removes message \(change.name); raise schema.version")
            case .resized, .changedLayout:
                let before = old.first { $0.name == change.name }?.schemaVersion
                let after = new.messages.first { $0.name == change.name }?.schemaVersion
                if Self.isIncrease(from: before, to: after) { continue }
                problems.append(
                    "\(new.source) changes the layout of message \(change.name) (\(change.detail)) without raising its "
                        + "schema_version (\(before ?? "none")) or schema.version; raise one of them")
            case .added, .changedMetadata:
                continue
            }
        }
        return problems
    }

    /// Whether a `schema_version` increased: compared by its numbers (`v2` < `v10`, `1.2` < `1.3`).
    static func isIncrease(from old: String?, to new: String?) -> Bool {
        guard let new else { return false }
        let numbers = { (text: String) in text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) } }
        let after = numbers(new)
        guard let old else { return !after.isEmpty }
        return numbers(old).lexicographicallyPrecedes(after)
    }

    /// SHA-256 over everything the import stores, metadata included: equal fingerprints
    /// mean an identical re-import.
    static func fingerprint(of set: ContractSet) -> [UInt8] {
        var text = set.schema.map { "schema \($0.id) \($0.version) \($0.minCompatible)\n" } ?? "no schema\n"
        for message in set.messages {
            text += "\(message.typeID)\u{1F}\(message.name)\u{1F}\(message.domain ?? "")\u{1F}\(message.summary ?? "")"
            text += "\u{1F}\(message.schemaVersion ?? "")\n"
            for field in message.fields {
                text += "\(field.name)\u{1F}\(field.declaredType)\u{1F}\(field.type.canonicalName)\u{1F}\(field.summary ?? "")\n"
            }
        }
        return SHA256.digest(of: text)
    }

    private func write(
        _ set: ContractSet, text: String, fingerprint: [UInt8], outcome: ImportReport.Outcome, changes: [ImportReport.Change]
    ) throws {
        let key = SQLiteValue.text(set.key)
        let now = ISO8601DateFormatter().string(from: Date())
        try database.run("DELETE FROM fields WHERE type_id IN (SELECT type_id FROM messages WHERE set_key = ?)", [key])
        try database.run("DELETE FROM messages WHERE set_key = ?", [key])
        let schemaID: SQLiteValue = set.schema.map { .integer(Int(bitPattern: UInt($0.id))) } ?? .null
        try database.run(
            "INSERT OR REPLACE INTO schemas "
                + "(set_key, schema_id, version, min_compatible, digest, fingerprint, source, imported_at, text) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                key, schemaID, .integer(set.schema?.version ?? 1), .integer(set.schema?.minCompatible ?? 1), .blob(set.digest),
                .blob(fingerprint), .text(set.source), .text(now), .text(text),
            ])
        for message in set.messages {
            let optional = { (text: String?) in text.map(SQLiteValue.text) ?? .null }
            try database.run(
                "INSERT INTO messages (type_id, name, set_key, domain, description, schema_version, max_payload, size_class) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    .integer(Int(message.typeID)), .text(message.name), key, optional(message.domain), optional(message.summary),
                    optional(message.schemaVersion), .integer(message.maxPayload), .integer(message.sizeClass),
                ])
            for field in message.fields {
                try database.run(
                    "INSERT INTO fields (type_id, ordinal, name, declared_type, canonical_type, offset, size, description) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        .integer(Int(message.typeID)), .integer(field.ordinal), .text(field.name), .text(field.declaredType),
                        .text(field.type.canonicalName), .integer(field.offset), .integer(field.size), optional(field.summary),
                    ])
            }
        }
        let summary = changes.isEmpty ? "\(set.messages.count) messages" : changes.map(\.description).joined(separator: "; ")
        try database.run(
            "INSERT INTO import_history (set_key, source, digest, outcome, summary, imported_at) VALUES (?, ?, ?, ?, ?, ?)",
            [key, .text(set.source), .blob(set.digest), .text(outcome.rawValue), .text(summary), .text(now)])
    }
}
