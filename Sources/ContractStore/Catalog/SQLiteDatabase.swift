import CSQLite

/// A thin connection over the system SQLite: exactly what the catalog needs (exec, prepared
/// statements, transactions with rollback, `PRAGMA user_version`). Errors come back as
/// ``SQLiteError`` values carrying SQLite's code and message.
final class SQLiteDatabase {
    private let handle: OpaquePointer

    /// Opens `path`; `readOnly` opens without write access, `create` makes a missing file.
    init(path: String, readOnly: Bool, create: Bool) throws(SQLiteError) {
        var handle: OpaquePointer?
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0))
            | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(handle)
            throw SQLiteError(code: code, message: message)
        }
        self.handle = handle
        sqlite3_busy_timeout(handle, 5_000)
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements that return no rows.
    func exec(_ sql: String) throws(SQLiteError) {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw lastError(code) }
    }

    /// Prepares `sql` with `arguments` bound in order.
    func prepare(_ sql: String, _ arguments: [SQLiteValue] = []) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else { throw lastError(code) }
        let prepared = SQLiteStatement(statement: statement, database: self)
        try prepared.bind(arguments)
        return prepared
    }

    /// Runs a statement that returns no rows.
    func run(_ sql: String, _ arguments: [SQLiteValue] = []) throws(SQLiteError) {
        let statement = try prepare(sql, arguments)
        while try statement.step() {}
    }

    /// Runs `body` in one transaction: committed if it returns (rolled back instead when
    /// `commit` is false, for a dry run), rolled back if it throws.
    func transaction<T>(commit: Bool = true, _ body: () throws -> T) throws -> T {
        try exec("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try exec(commit ? "COMMIT" : "ROLLBACK")
            return result
        } catch {
            try? exec("ROLLBACK")
            throw error
        }
    }

    /// `PRAGMA user_version`: the catalog format the file was written in.
    var userVersion: Int {
        get throws(SQLiteError) {
            let statement = try prepare("PRAGMA user_version")
            _ = try statement.step()
            return statement.int(0)
        }
    }

    func setUserVersion(_ version: Int) throws(SQLiteError) {
        try exec("PRAGMA user_version = \(version)")
    }

    func lastError(_ code: Int32) -> SQLiteError {
        SQLiteError(code: code, message: String(cString: sqlite3_errmsg(handle)))
    }
}

/// An error reported by SQLite: its result code and message.
struct SQLiteError: Error, Hashable, CustomStringConvertible {
    /// The (extended) result code.
    let code: Int32
    /// SQLite's message.
    let message: String

    /// The primary result code (`SQLITE_READONLY`, `SQLITE_NOTADB`, ...).
    var primaryCode: Int32 { code & 0xFF }

    var description: String { "\(message) (SQLite code \(code))" }
}
