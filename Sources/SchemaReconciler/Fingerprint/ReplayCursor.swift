import Foundation
import GRDB
import GRDBSQLite

/// A private in-memory database part-way through a replay, with the timeline steps taken so far.
///
/// The fingerprinter walks the bundled order with one cursor; the history replayer walks other
/// orders (what a ledger says ran) and copies cursors at shared prefixes, so exploring several
/// hypotheses replays their common start once.
struct ReplayCursor {
    private(set) var queue: DatabaseQueue
    private(set) var introspector: SchemaIntrospector
    private(set) var steps: [FingerprintTimeline.Step]
    private var schemaVersion: Int
    private var pragmaValues: [String]
    /// Whether migrations that are code (GRDB's migrator) can run here; see ``init(options:known:runsCode:keepsStructure:)``.
    private let runsCode: Bool
    /// Whether steps keep their objects' structure; see ``init(options:known:runsCode:keepsStructure:)``.
    private let keepsStructure: Bool

    /// The versions applied so far, in order.
    var versions: [MigrationVersion] { steps.dropFirst().map(\.version) }

    /// A cursor at the empty schema.
    ///
    /// Unless `runsCode`, the replay connection runs without GRDB's statement authorizer: GRDB installs
    /// it on every connection to learn what each statement reads and writes (for observation and its
    /// schema cache), and SQLite calls it for every table and column each statement names, the
    /// statements inside `sqlite3_exec` too. Replaying thousands of SQL migrations, it cost a third of
    /// the time (Benchmarks/RESULTS.md). A migration that is code runs GRDB's own API, which relies on
    /// the schema cache the authorizer keeps right, so a cursor for one keeps it.
    ///
    /// Unless `keepsStructure`, each step's effect keeps only its objects' identities and hashes
    /// (``SchemaDiff/stubbed``) and the introspector keeps no stored texts (``SchemaIntrospector/keepsTexts``):
    /// what a fingerprint report prints, without the structure of every version a history had.
    init(options: SnapshotOptions, known: [SchemaIntrospector.KnownObject] = [], runsCode: Bool = false,
         keepsStructure: Bool = true) throws {
        self.runsCode = runsCode
        self.keepsStructure = keepsStructure
        queue = try Self.openDatabase(runsCode: runsCode)
        var introspector = SchemaIntrospector(options: options, known: known)
        introspector.keepsTexts = keepsStructure
        let (effect, cookie, pragmas) = try queue.writeWithoutTransaction { db in
            (try introspector.refresh(db), try Self.schemaCookie(db), try Self.pragmaValues(options.trackedPragmas, db))
        }
        self.introspector = introspector
        schemaVersion = cookie
        pragmaValues = pragmas
        steps = [.init(migration: nil, fingerprint: introspector.liveHash, effect: keepsStructure ? effect : effect.stubbed)]
    }

    /// The canonical schema after the last step.
    var snapshot: SchemaSnapshot { introspector.liveSnapshot }

    /// The fingerprint after the last step (the hash of ``snapshot``, without building it).
    var fingerprint: Digest { introspector.liveHash }

    /// Applies `migration` as sqlx does and records the step; `after` runs on the database right after it.
    /// With `statementLimit`, only that many leading statements run, outside a transaction, as a crash
    /// part-way through a `-- no-transaction` file leaves them. With `replay`, the migration is code
    /// (GRDB's migrator) and runs through it instead of as SQL.
    mutating func apply(_ migration: Migration, statementLimit: Int? = nil, replay: MigrationReplay? = nil,
                        after: ((Database) throws -> Void)? = nil) throws {
        if let replay {
            guard runsCode else {
                throw ReplayError(version: migration.version, path: migration.fileName,
                                  message: "a migration that is code needs a replay database made for code")
            }
            guard statementLimit == nil else {
                throw ReplayError(version: migration.version, path: migration.fileName,
                                  message: "a migration that is code cannot run part-way")
            }
            do {
                try replay.run(migration, queue)
            } catch {
                throw ReplayError(version: migration.version, path: migration.fileName, message: "\(error)")
            }
        }
        let options = self.introspector.options
        // Moved out for the write (and back after it, thrown or not): a copy would make the live
        // schema's storage shared, and the refresh would copy all of it on every step.
        var introspector = SchemaIntrospector(options: options)
        swap(&introspector, &self.introspector)
        defer { swap(&introspector, &self.introspector) }
        let schemaVersion = self.schemaVersion, pragmaValues = self.pragmaValues
        let (step, cookie, pragmas) = try queue.writeWithoutTransaction { db in
            if replay != nil {
                // Already run, through the migrator.
            } else if let statementLimit {
                guard Self.runStatements(migration.sql, count: statementLimit, in: db) else {
                    throw ReplayError(version: migration.version, path: migration.url.path,
                                      message: "its first \(statementLimit) statement(s) do not run")
                }
            } else {
                try Self.run(migration, in: db)
            }
            // Without the authorizer, GRDB cannot tell that a statement changed the schema.
            if !runsCode { db.clearSchemaCache() }
            let cookie = try Self.schemaCookie(db)
            let pragmas = try Self.pragmaValues(options.trackedPragmas, db)
            let step: FingerprintTimeline.Step
            if cookie != schemaVersion || pragmas != pragmaValues {
                let effect = try introspector.refresh(db)
                step = .init(migration: migration, fingerprint: introspector.liveHash,
                             effect: keepsStructure ? effect : effect.stubbed)
            } else {
                // Data-only migration: the schema cookie did not move, so nothing structural did.
                step = .init(migration: migration, fingerprint: introspector.liveHash,
                             effect: SchemaDiff(added: [], removed: [], changed: []))
            }
            try after?(db)
            return (step, cookie, pragmas)
        }
        self.schemaVersion = cookie
        self.pragmaValues = pragmas
        steps.append(step)
    }

    /// An independent copy of this cursor: the database is serialised and loaded into a new connection.
    func copy() throws -> ReplayCursor {
        var copy = self
        let bytes: Data = try queue.writeWithoutTransaction { db in
            var size: sqlite3_int64 = 0
            guard let pointer = sqlite3_serialize(db.sqliteConnection, "main", &size, 0) else {
                throw DatabaseError(message: "cannot serialise the replay database")
            }
            defer { sqlite3_free(pointer) }
            return Data(bytes: pointer, count: Int(size))
        }
        copy.queue = try Self.openDatabase(runsCode: runsCode)
        try copy.queue.writeWithoutTransaction { db in
            let size = bytes.count
            guard let buffer = sqlite3_malloc64(sqlite3_uint64(max(size, 1)))?.assumingMemoryBound(to: UInt8.self) else {
                throw DatabaseError(message: "out of memory copying the replay database")
            }
            bytes.copyBytes(to: buffer, count: size)
            let flags = UInt32(SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE)
            let code = sqlite3_deserialize(db.sqliteConnection, "main", buffer, sqlite3_int64(size), sqlite3_int64(size), flags)
            guard code == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot load the replay database copy")
            }
        }
        return copy
    }

    /// A replay database; without GRDB's authorizer unless it must run migrations that are code.
    private static func openDatabase(runsCode: Bool) throws -> DatabaseQueue {
        let queue = try HardenedDatabase.openInMemory()
        if !runsCode {
            try queue.writeWithoutTransaction { db in
                let code = sqlite3_set_authorizer(db.sqliteConnection, nil, nil)
                guard code == SQLITE_OK else {
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot remove the statement authorizer")
                }
            }
        }
        return queue
    }

    // MARK: - Running one migration

    /// Runs one migration the way sqlx does: in a transaction unless it starts with `-- no-transaction`.
    static func run(_ migration: Migration, in db: Database) throws {
        // sqlite3_exec, as the sqlite3 shell runs a file: GRDB's per-statement authorizer and
        // observation bookkeeping would double the cost of replaying thousands of migrations, and the
        // private replay database has no observers.
        let failure: String?
        if migration.noTransaction {
            failure = exec(migration.sql, db)
        } else if let begin = exec("BEGIN", db) {
            failure = begin
        } else if let error = exec(migration.sql, db) {
            failure = error
        } else {
            failure = exec("COMMIT", db)
        }
        if let failure {
            if db.isInsideTransaction { _ = exec("ROLLBACK", db) }
            throw ReplayError(version: migration.version, path: migration.url.path, message: failure)
        }
        if db.isInsideTransaction {
            _ = exec("ROLLBACK", db)
            throw ReplayError(version: migration.version, path: migration.url.path,
                              message: "the migration left a transaction open")
        }
    }

    /// Runs `sql`; SQLite's message on failure.
    static func exec(_ sql: String, _ db: Database) -> String? {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(db.sqliteConnection, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard code != SQLITE_OK else { return nil }
        return message.map { String(cString: $0) } ?? "SQLite error \(code)"
    }

    /// Runs the first `count` statements of `sql`, outside any transaction, as a crash after them leaves it.
    static func runStatements(_ sql: String, count: Int, in db: Database) -> Bool {
        var remaining = count
        return sql.withCString { start -> Bool in
            var cursor: UnsafePointer<CChar>? = start
            while remaining > 0, let position = cursor, position.pointee != 0 {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                guard sqlite3_prepare_v2(db.sqliteConnection, position, -1, &statement, &tail) == SQLITE_OK else { return false }
                cursor = tail
                guard let statement else { continue } // whitespace or a comment
                defer { sqlite3_finalize(statement) }
                var code = sqlite3_step(statement)
                while code == SQLITE_ROW { code = sqlite3_step(statement) }
                guard code == SQLITE_DONE else { return false }
                remaining -= 1
            }
            return remaining == 0
        }
    }

    /// The number of statements in `sql`, split where SQLite finds a complete statement.
    static func statementCount(_ sql: String) -> Int {
        // Statement boundaries by SQLite's own rule: a `;` that completes a statement (triggers included).
        var count = 0
        var current = ""
        for character in sql {
            current.append(character)
            if character == ";", sqlite3_complete(current) != 0 {
                if !SQLTokenizer.tokens(in: current).filter({ !$0.isSymbol(";") }).isEmpty { count += 1 }
                current = ""
            }
        }
        if !SQLTokenizer.tokens(in: current).filter({ !$0.isSymbol(";") }).isEmpty { count += 1 }
        return count
    }

    static func schemaCookie(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "PRAGMA schema_version") ?? 0
    }

    static func pragmaValues(_ pragmas: [String], _ db: Database) throws -> [String] {
        try pragmas.map { try String.fetchOne(db, sql: "PRAGMA main.\($0)") ?? "" }
    }
}
