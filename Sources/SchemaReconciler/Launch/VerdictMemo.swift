import Foundation
import GRDB
import GRDBSQLite
import CSQLiteHardening
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Healthy verdicts the quick check reached before, each filed under exactly what its diagnosis read
/// from the database, so that a launch finding the same schema and ledger again answers without
/// decoding the lock's quick index or running the engine.
///
/// **Why a remembered verdict is the verdict.** A diagnosis is a pure function of two things. The
/// *context*: the migration files (names, versions, checksums), the lock's and the manifest's bytes,
/// the ledger table, the ignored objects, the plan options, the SQLite library and this very build of
/// the engine (the binary's identity, so a rebuilt engine never trusts an old one's answers). And the
/// *state*: what it reads from the database, which is the `sqlite_schema` rows (an object whose text
/// the lock does not know is read through pragmas, whose answers follow from that text), the header
/// values `user_version` and `application_id`, and the ledger table's rows. ``stateKey(_:ledgerTable:)``
/// hashes every byte of the state, read raw in the same read transaction as the diagnosis it files,
/// and the memo's file holds verdicts of one context only. A verdict is remembered only when it was
/// healthy (consistent or fresh, nothing to write, no blocker) and the engine read nothing else: no
/// probe or invariant (they read user data), no reference backup, no git history. Any change to the
/// schema, the header values, a ledger row or the context misses, and the database is diagnosed in
/// full; a change to user data alone is not read, and cannot change the verdict.
///
/// The memo lives beside the launch record (``LaunchCache``) and shares its rules: private to the
/// user, ignored when unreadable or of another format, rewritten by a rename, never flushed.
///
/// ```swift
/// var memo = VerdictMemo(path: cache.memoPath(folder: folder, ignoredCharacters: []), context: context)
/// if let key = try VerdictMemo.stateKey(db, ledgerTable: "_sqlx_migrations"), let known = memo.diagnosis(for: key, path: path) {
///     print(known.verdict) // consistent
/// }
/// ```
struct VerdictMemo: Sendable {
    /// The file.
    let path: String
    /// The context its verdicts hold for.
    let context: Digest
    /// The verdicts, the most recently learned first: a state key and the diagnosis as JSON (path left empty).
    private(set) var entries: [(key: Digest, diagnosis: [UInt8])] = []

    /// The most verdicts kept: one per schema and ledger state seen, so a few are plenty for a launcher,
    /// and a CI run over many distinct fixtures does not grow the file without bound.
    static let limit = 16
    static let magic: [UInt8] = Array("SRVM".utf8)
    static let format: UInt8 = 1

    /// The memo at `path` for `context`; empty when the file is missing, malformed or of another context.
    init(path: String, context: Digest) {
        self.path = path
        self.context = context
        guard let contents = FileStamp.contents(of: path, followingLinks: false) else { return }
        var reader = RecordReader(bytes: contents.bytes)
        entries = (try? reader.memoEntries(context: context)) ?? []
    }

    /// Whether any verdict is remembered for this context, which means the lock's quick index matched it.
    var isEmpty: Bool { entries.isEmpty }

    /// The remembered diagnosis for `key`, filed under `path`; nil when none is.
    func diagnosis(for key: Digest, path: String) -> Diagnosis? {
        guard let entry = entries.first(where: { $0.key == key }),
              var diagnosis = try? JSONDecoder().decode(Diagnosis.self, from: Data(entry.diagnosis)) else { return nil }
        diagnosis.path = path
        return diagnosis
    }

    /// Adds `diagnosis` under `key` (replacing any verdict it had) and writes the file with `write`;
    /// false when the write failed (the memo in memory still holds it).
    mutating func remember(_ diagnosis: Diagnosis, for key: Digest, write: (String, [UInt8]) -> Bool) -> Bool {
        var anonymous = diagnosis
        anonymous.path = ""
        guard let json = try? JSONEncoder().encode(anonymous) else { return false }
        entries.removeAll { $0.key == key }
        entries.insert((key, [UInt8](json)), at: 0)
        if entries.count > Self.limit { entries.removeLast(entries.count - Self.limit) }
        return write(path, encoded())
    }

    func encoded() -> [UInt8] {
        var writer = RecordWriter()
        writer.bytes += Self.magic
        writer.bytes.append(Self.format)
        writer.digest(context)
        writer.array(entries) { writer, entry in
            writer.digest(entry.key)
            writer.blob(entry.diagnosis)
        }
        return writer.bytes
    }

    /// Whether `diagnosis` is plainly healthy: consistent or fresh, nothing to write, no blocker. The
    /// quick path decides only these (and unreadable files); only these are remembered.
    static func isHealthy(_ diagnosis: Diagnosis) -> Bool {
        diagnosis.exitCode == .ok && !diagnosis.plan.writes && diagnosis.plan.blockers.isEmpty
            && (diagnosis.verdict == .consistent || diagnosis.verdict == .fresh)
    }

    // MARK: - Context

    /// The hash of everything other than the database a diagnosis depends on; nil when this build of
    /// the engine cannot be told from another (``buildIdentity``), and nothing may then be remembered.
    static func context(folder: String, set: MigrationSet, lockDigest: Digest, manifestDigest: Digest?, ledger: SQLxLedger,
                        ignored: [NamePattern], options: PlanOptions) -> Digest? {
        guard let build = buildIdentity else { return nil }
        var writer = RecordWriter()
        writer.bytes += magic
        writer.bytes.append(format)
        writer.string(ToolVersion.current)
        writer.blob(build)
        writer.int(Int64(sqlite3_libversion_number()))
        writer.string(String(cString: sqlite3_sourceid()))
        writer.string(folder)
        writer.array(LaunchRecord.scalars(set.ignoredCharacters)) { $0.int(Int64($1)) }
        writer.array(set.migrations) { writer, migration in
            writer.version(migration.version)
            writer.string(migration.description)
            writer.string(migration.kind.rawValue)
            writer.string(migration.fileName)
            writer.digest(migration.checksum)
            writer.bool(migration.noTransaction)
        }
        writer.digest(lockDigest)
        writer.optional(manifestDigest) { $0.digest($1) }
        writer.string(ledger.tableNameText)
        writer.string(ledger.tableName)
        writer.array(ignored) { $0.string($1.pattern) }
        writer.optional(options.assumeVersion) { $0.version($1) }
        for flag in [options.dropUnproven, options.dropUnknown, options.requireTip, options.enforceInvariants] { writer.bool(flag) }
        writer.optionalString(options.referencePath)
        writer.array(options.acceptEdits.sorted()) { $0.version($1) }
        return Digest.sha256(of: writer.bytes)
    }

    /// The `stat` of the file holding this code (the executable when linked statically, else the
    /// library): device, inode, size, modification and change times. Any rebuild changes it.
    static let buildIdentity: [UInt8]? = {
        guard let image = codeImagePath() else { return nil }
        var info = stat()
        guard stat(image, &info) == 0 else { return nil }
        let stamp = FileStamp(info)
        var writer = RecordWriter()
        writer.string(image)
        writer.stamp(stamp)
        return writer.bytes
    }()

    /// The path of the loaded file that holds this code.
    private static func codeImagePath() -> String? {
        let marker: @convention(c) () -> Void = {}
        var buffer = [CChar](repeating: 0, count: 4096)
        guard sr_code_image_path(unsafeBitCast(marker, to: UnsafeRawPointer.self), &buffer, buffer.count) == 0 else { return nil }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    // MARK: - State

    /// The hash of everything a diagnosis reads from `db`: every `sqlite_schema` row, the header values
    /// `user_version` and `application_id`, and every row of the ledger table, each value with its
    /// storage class. Nil when the ledger is not an ordinary table (a view or virtual table computes
    /// its rows, which could then differ between two reads). The caller provides the read transaction.
    static func stateKey(_ db: Database, ledgerTable: String) throws -> Digest? {
        var writer = RecordWriter()
        let ledger = SchemaObject.canonicalName(ledgerTable)
        var ledgerKind: (type: String, sql: String?)?
        try RawStatement.forEachRow(db, "SELECT type, name, tbl_name, sql FROM main.sqlite_schema") { statement in
            writer.row(statement, columns: 4)
            if let name = RawStatement.text(statement, 1), SchemaObject.canonicalName(name) == ledger {
                ledgerKind = (RawStatement.text(statement, 0) ?? "", RawStatement.text(statement, 3))
            }
        }
        writer.bytes.append(0)
        try RawStatement.forEachRow(db, "SELECT * FROM pragma_user_version, pragma_application_id") { writer.row($0, columns: 2) }
        writer.bytes.append(0)
        if let ledgerKind {
            guard ledgerKind.type == "table",
                  let sql = ledgerKind.sql, SQLTokenizer.tokens(in: sql).prefix(2).map(\.canonical) == ["CREATE", "TABLE"]
            else { return nil }
            let quoted = "\"" + ledgerTable.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            try RawStatement.forEachRow(db, "SELECT * FROM main.\(quoted)") { statement in
                writer.row(statement, columns: sqlite3_column_count(statement))
            }
        }
        writer.bytes.append(0)
        return Digest.sha256(of: writer.bytes)
    }
}

extension RecordWriter {
    /// A result row: a mark, the number of columns, then each value's storage class and its exact value.
    mutating func row(_ statement: OpaquePointer, columns: Int32) {
        bytes.append(1)
        unsigned(UInt64(columns))
        for column in 0..<columns {
            let type = sqlite3_column_type(statement, column)
            bytes.append(UInt8(truncatingIfNeeded: type))
            switch type {
            case SQLITE_INTEGER:
                int(sqlite3_column_int64(statement, column))
            case SQLITE_FLOAT:
                unsigned(sqlite3_column_double(statement, column).bitPattern)
            case SQLITE_TEXT, SQLITE_BLOB:
                // For text, sqlite3_column_blob gives the stored bytes, with no conversion; its count comes after it.
                let start = sqlite3_column_blob(statement, column)
                let count = Int(sqlite3_column_bytes(statement, column))
                unsigned(UInt64(count))
                if count > 0, let start { bytes += UnsafeRawBufferPointer(start: start, count: count) }
            default:
                break
            }
        }
    }
}

extension RecordReader {
    /// The entries of a memo file for `context`; none when it holds another context's.
    mutating func memoEntries(context: Digest) throws -> [(key: Digest, diagnosis: [UInt8])] {
        guard bytes.count > VerdictMemo.magic.count, Array(bytes[0..<VerdictMemo.magic.count]) == VerdictMemo.magic else { throw Malformed() }
        offset = VerdictMemo.magic.count
        guard try byte() == VerdictMemo.format, try digest() == context else { return [] }
        let entries = try array { reader in (key: try reader.digest(), diagnosis: try reader.blob()) }
        guard offset == bytes.count else { throw Malformed() }
        return entries
    }
}
