/// The catalog's schema, as the list of migrations that build it. The file's
/// `PRAGMA user_version` counts the migrations applied; opening an older file applies the
/// rest in one transaction, and a file with a higher count than this build knows is refused.
enum CatalogMigrations {
    static let steps: [String] = [
        // 1: contract sets, their messages and fields.
        """
        CREATE TABLE schemas (
            set_key TEXT PRIMARY KEY,
            schema_id INTEGER,
            version INTEGER,
            min_compatible INTEGER,
            digest BLOB NOT NULL,
            fingerprint BLOB NOT NULL,
            source TEXT NOT NULL,
            imported_at TEXT NOT NULL
        );
        CREATE TABLE messages (
            type_id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            set_key TEXT NOT NULL REFERENCES schemas(set_key),
            domain TEXT,
            description TEXT,
            schema_version TEXT,
            max_payload INTEGER NOT NULL,
            size_class INTEGER NOT NULL
        );
        CREATE TABLE fields (
            type_id INTEGER NOT NULL REFERENCES messages(type_id),
            ordinal INTEGER NOT NULL,
            name TEXT NOT NULL,
            declared_type TEXT NOT NULL,
            canonical_type TEXT NOT NULL,
            offset INTEGER NOT NULL,
            size INTEGER NOT NULL,
            description TEXT,
            PRIMARY KEY (type_id, ordinal)
        );
        """,
        // 2: the import history.
        """
        CREATE TABLE import_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            set_key TEXT NOT NULL,
            source TEXT NOT NULL,
            digest BLOB NOT NULL,
            outcome TEXT NOT NULL,
            summary TEXT NOT NULL,
            imported_at TEXT NOT NULL
        );
        """,
        // 3: the contract file's text, for export; NULL for sets imported before.
        """
        ALTER TABLE schemas ADD COLUMN text TEXT;
        """,
    ]

    /// The format this build writes.
    static var latest: Int { steps.count }
}
