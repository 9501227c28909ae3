import Foundation
public import MyceliumCore

/// The contract catalog: one SQLite file holding contract sets, their messages and fields,
/// and the import history (Architecture.md, "Catalog"). The broker derives its size-class plan and
/// per-type limits from it; the CLI imports into it and prints it.
///
/// A `Catalog` owns one SQLite connection; use it from one task at a time. Everything it
/// returns is a `Sendable` value.
///
/// ```swift
/// let (catalog, created) = try Catalog.openOrCreateFromBundled(path: "mycelium.db")
/// let plan = try catalog.sizeClassPlan()      // 128×512 1024×64 ...
/// let limits = try catalog.messageTypes()     // type id -> name, max payload
/// ```
public final class Catalog {
    /// The path as given.
    public let path: String
    let database: SQLiteDatabase
    /// True when the file has no write permission; reads work, imports are refused.
    public let isReadOnly: Bool

    /// Opens the catalog at `path`, creating it when missing, and migrates an older file.
    ///
    /// - Throws: ``CatalogError`` when `path` is a directory, not an SQLite file, written by a
    ///   newer version of Mycelium, or read-only and in need of migration.
    public convenience init(path: String) throws(CatalogError) {
        try self.init(path: path, createIfMissing: true)
    }

    /// Opens the catalog at `path`; with `createIfMissing: false` a missing file is an error
    /// that tells the user to import contracts first.
    ///
    /// - Throws: ``CatalogError`` (see ``init(path:)``).
    public init(path: String, createIfMissing: Bool) throws(CatalogError) {
        self.path = path
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if isDirectory.boolValue {
            throw CatalogError(.notACatalog, path: path, "is a directory, not a catalog file (e.g. \(path)/mycelium.db)")
        }
        if !exists && !createIfMissing {
            throw CatalogError(.missing, path: path, "no catalog here; import contracts first")
        }
        isReadOnly = exists && Self.hasNoWritePermission(path)
        do {
            database = try SQLiteDatabase(path: path, readOnly: isReadOnly, create: true)
        } catch {
            throw CatalogError(.storage, path: path, "cannot open: \(error.message); check the path and its permissions")
        }
        try migrate()
    }

    /// Opens the catalog at `path`, or, when there is no file there, creates it and imports
    /// the bundled contract set (``BundledContracts``) into it. `mycelium serve` starts this way.
    ///
    /// - Returns: the catalog, and whether it was created now.
    /// - Throws: ``CatalogError`` as ``init(path:)``; ``ContractError`` if the bundled set is
    ///   invalid (a build defect, caught by the tests).
    public static func openOrCreateFromBundled(path: String) throws -> (catalog: Catalog, created: Bool) {
        let created = !FileManager.default.fileExists(atPath: path)
        let catalog = try Catalog(path: path)
        if created {
            _ = try catalog.importContracts(yaml: BundledContracts.yaml, file: BundledContracts.fileName)
        }
        return (catalog, created)
    }

    private static func hasNoWritePermission(_ path: String) -> Bool {
        // Checked on the mode bits, not access(2): root may write anywhere, yet a file the
        // user made read-only (chmod a-w) should stay untouched.
        guard let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int else {
            return false
        }
        return mode & 0o222 == 0
    }

    private func migrate() throws(CatalogError) {
        let version: Int
        do {
            version = try database.userVersion
        } catch {
            throw failure(error, doing: "read")
        }
        guard version <= CatalogMigrations.latest else {
            throw CatalogError(
                .newerFormat, path: path,
                "was written by a newer Mycelium (catalog format \(version); this build knows up to "
                    + "\(CatalogMigrations.latest)); upgrade mycelium")
        }
        guard version < CatalogMigrations.latest else { return }
        if isReadOnly {
            throw CatalogError(
                .readOnly, path: path,
                "is read-only and needs migrating from format \(version) to \(CatalogMigrations.latest); make it writable (chmod u+w)"
            )
        }
        do {
            try database.transaction {
                for step in CatalogMigrations.steps[version...] { try database.exec(step) }
                try database.setUserVersion(CatalogMigrations.latest)
            }
        } catch let error as SQLiteError {
            throw failure(error, doing: "migrate")
        } catch {
            throw CatalogError(.storage, path: path, "cannot migrate: \(error)")
        }
    }

    /// Turns an SQLite error into a sentence that says what to do.
    func failure(_ error: SQLiteError, doing action: String) -> CatalogError {
        let code = error.primaryCode
        if code == 26 {  // SQLITE_NOTADB
            return CatalogError(.notACatalog, path: path, "is not an SQLite file, so not a Mycelium catalog")
        }
        if code == 8 {  // SQLITE_READONLY
            return CatalogError(.readOnly, path: path, "is read-only; make it writable (chmod u+w)")
        }
        if code == 1 && error.message.contains("already exists") {
            return CatalogError(.notACatalog, path: path, "is an SQLite file of another program, not a Mycelium catalog")
        }
        return CatalogError(.storage, path: path, "cannot \(action): \(error.message)")
    }

    // MARK: Reading

    /// Every message in the catalog, in ascending type id, with its fields.
    ///
    /// - Throws: ``CatalogError`` if the file cannot be read.
    public func messages() throws(CatalogError) -> [MessageContract] {
        try read("read messages") {
            let fieldRows = try database.prepare(
                "SELECT type_id, ordinal, name, declared_type, canonical_type, offset, description FROM fields "
                    + "ORDER BY type_id, ordinal"
            ).rows { row in
                (
                    try checkedTypeID(row.int(0)), row.int(1), row.text(2) ?? "", row.text(3) ?? "", row.text(4) ?? "",
                    row.int(5), row.text(6)
                )
            }
            var fields: [UInt16: [FieldContract]] = [:]
            for (typeID, ordinal, name, declared, canonical, offset, summary) in fieldRows {
                guard let type = try? FieldTypeSpelling.parse(canonical, maxLength: nil) else {
                    throw CatalogError(
                        .invalidContents, path: path,
                        "field \(name) of type id \(typeID) has an unreadable type '\(canonical)'; re-import its contracts")
                }
                fields[typeID, default: []].append(
                    FieldContract(
                        ordinal: ordinal, name: name, declaredType: declared, type: type, offset: offset, summary: summary))
            }
            return try database.prepare(
                "SELECT type_id, name, domain, description, schema_version FROM messages ORDER BY type_id"
            ).rows { row in
                let typeID = try checkedTypeID(row.int(0))
                return MessageContract(
                    typeID: typeID, name: row.text(1) ?? "", domain: row.text(2), summary: row.text(3),
                    schemaVersion: row.text(4), fields: fields[typeID] ?? [])
            }
        }
    }

    /// The message named `name`, or with type id `name` when it is a number.
    ///
    /// - Throws: ``CatalogError`` when there is no such message (naming the known ones).
    public func message(_ nameOrTypeID: String) throws(CatalogError) -> MessageContract {
        let all = try messages()
        let found = all.first { $0.name == nameOrTypeID } ?? UInt16(nameOrTypeID).flatMap { id in all.first { $0.typeID == id } }
        guard let found else {
            let known = all.prefix(8).map(\.name).joined(separator: ", ") + (all.count > 8 ? ", ..." : "")
            throw CatalogError(
                all.isEmpty ? .missing : .unknownMessage, path: path,
                "has no message named or numbered '\(nameOrTypeID)'"
                    + (all.isEmpty ? "; import contracts first" : "; known: \(known)"))
        }
        return found
    }

    /// The per-type limits the broker enforces: type id -> name and max payload.
    ///
    /// - Throws: ``CatalogError`` if the file cannot be read.
    public func messageTypes() throws(CatalogError) -> MessageTypeTable {
        let entries = try messages().map { MessageTypeTable.Entry(id: $0.typeID, name: $0.name, maxPayload: $0.maxPayload) }
        do {
            return try MessageTypeTable(entries)
        } catch {
            throw CatalogError(.invalidContents, path: path, "holds an invalid type table: \(error); re-import its contracts")
        }
    }

    /// The size-class plan derived from the catalog (Architecture.md): each message's max payload
    /// in the next power of two, at least 128 bytes; capacity 65,536 / class, at least 1.
    ///
    /// - Throws: ``CatalogError`` if the file cannot be read.
    public func sizeClassPlan() throws(CatalogError) -> SizeClassPlan {
        try messageTypes().sizeClassPlan
    }

    /// The 32-byte SHA-256 digest of every set in the catalog (Architecture.md's rendering).
    ///
    /// - Throws: ``CatalogError`` if the file cannot be read.
    public func digest() throws(CatalogError) -> [UInt8] {
        ContractDigest.digest(of: try messages())
    }

    /// The contract sets in the catalog, by key.
    ///
    /// - Throws: ``CatalogError`` if the file cannot be read.
    public func sets() throws(CatalogError) -> [CatalogSet] {
        try read("read contract sets") {
            try database.prepare(
                "SELECT set_key, schema_id, version, digest, source, imported_at, "
                    + "(SELECT COUNT(*) FROM messages m WHERE m.set_key = s.set_key) FROM schemas s ORDER BY set_key"
            ).rows { row in
                CatalogSet(
                    key: row.text(0) ?? "", schemaID: row.text(1) == nil ? nil : UInt64(bitPattern: Int64(row.int(1))),
                    version: row.int(2), digest: row.blob(3), source: row.text(4) ?? "",
                    importedAt: row.text(5) ?? "", messageCount: row.int(6))
            }
        }
    }

    /// A stored type id, checked: a file edited by hand must not crash the reader.
    private func checkedTypeID(_ stored: Int) throws(CatalogError) -> UInt16 {
        guard let id = UInt16(exactly: stored), ContractParser.typeIDRange.contains(stored) else {
            throw CatalogError(
                .invalidContents, path: path, "holds an invalid type id \(stored); re-import its contracts into a new catalog")
        }
        return id
    }

    /// Runs a read, turning SQLite errors into ``CatalogError``.
    func read<T>(_ action: String, _ body: () throws -> T) throws(CatalogError) -> T {
        do {
            return try body()
        } catch let error as CatalogError {
            throw error
        } catch let error as SQLiteError {
            throw failure(error, doing: action)
        } catch {
            throw CatalogError(.storage, path: path, "cannot \(action): \(error)")
        }
    }
}
