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
/// *context*: the migration files (names, versions, checksums, and their texts when ignored characters
/// make a checksum blind to some bytes), the lock's and the manifest's bytes, the ledger table, the
/// ignored objects, the plan options, the SQLite library and this very build of the engine
/// (``buildIdentity``, so a rebuilt engine never trusts an old one's answers). And the *state*: what
/// it reads from the database when every object's text is one the lock knows, which is the
/// `sqlite_schema` rows, the header values `user_version` and `application_id`, and what the ledger's
/// own statement returns (``SQLxLedger/rowsQuery(in:)``). ``stateKey(_:ledger:)`` hashes all of it,
/// each value with its storage class, read raw in the same read transaction as the diagnosis it files,
/// and the memo's file holds verdicts of one context only. A verdict is remembered only when it was
/// healthy (consistent or fresh, nothing to write, no blocker) and the engine read nothing else: no
/// probe or invariant (they read user data), no reference backup, no git history, and no object outside
/// the lock read through pragmas (their answers can also depend on the header's schema format, or on a
/// virtual table's module, which may read its shadow tables' rows). A database holding objects of its
/// own (an app's cache table) is therefore diagnosed in full every time. Any change to the schema, the
/// header values, a ledger row or the context misses, and the database is diagnosed in full; a change
/// to user data alone is not read, and cannot change the verdict.
///
/// The memo lives beside the launch record (``LaunchCache``) and shares its rules: private to the
/// user, ignored when unreadable or of another format, rewritten by a rename, never flushed.
///
/// ```swift
/// var memo = VerdictMemo(path: cache.memoPath(folder: folder, ignoredCharacters: []), context: context)
/// if let key = try VerdictMemo.stateKey(db, ledger: SQLxLedger()), let known = memo.diagnosis(for: key, path: path) {
///     print(known.verdict) // consistent
/// }
/// ```
struct VerdictMemo: Sendable {
    /// The file.
    let path: String
    /// The context its verdicts hold for.
    let context: Digest
    /// The verdicts, the most recently learned first: a state key and the diagnosis in the record layout (path left empty).
    private(set) var entries: [(key: Digest, diagnosis: [UInt8])] = []

    /// The most verdicts kept: one per schema and ledger state seen, so a few are plenty for a launcher,
    /// and a CI run over many distinct fixtures does not grow the file without bound.
    static let limit = 16
    static let magic: [UInt8] = Array("SRVM".utf8)
    static let format: UInt8 = 3

    /// The memo at `path` for `context`; empty when the file is missing, malformed or of another context.
    init(path: String, context: Digest) {
        self.path = path
        self.context = context
        guard let contents = FileStamp.contents(of: path, followingLinks: false, privateToUser: true),
              var reader = RecordSeal.reader(ofSealed: contents.bytes) else { return }
        entries = (try? reader.memoEntries(context: context)) ?? []
    }

    /// Whether any verdict is remembered for this context, which means the lock's quick index matched it.
    var isEmpty: Bool { entries.isEmpty }

    /// The remembered diagnosis for `key`, filed under `path`; nil when none is.
    func diagnosis(for key: Digest, path: String) -> Diagnosis? {
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        var reader = RecordReader(bytes: entry.diagnosis)
        guard var diagnosis = try? reader.diagnosis(), reader.atEnd else { return nil }
        diagnosis.path = path
        return diagnosis
    }

    /// Adds `diagnosis` under `key` (replacing any verdict it had) and writes the file with `write`;
    /// false when the write failed (the memo in memory still holds it).
    mutating func remember(_ diagnosis: Diagnosis, for key: Digest, write: (String, [UInt8]) -> Bool) -> Bool {
        guard diagnosis.failure == nil else { return false }
        var anonymous = diagnosis
        anonymous.path = ""
        var writer = RecordWriter()
        writer.diagnosis(anonymous)
        entries.removeAll { $0.key == key }
        entries.insert((key, writer.bytes), at: 0)
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
        return RecordSeal.sealed(writer.bytes)
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
            // A checksum taken without the ignored characters does not vouch for them, and replays run the
            // whole text: `\r` inside a string literal changes what a replay makes.
            if !set.ignoredCharacters.isEmpty { writer.digest(Digest.sha256(of: migration.sql)) }
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

    /// This build of the engine and of the SQLite library it runs on: for each of the two loaded images
    /// (the one holding this code, the executable when linked statically, and libsqlite3), its GNU build
    /// ID, read from its notes in memory, so it names the code that runs; where an image has none
    /// (Darwin, or a linker that wrote none), the `stat` of its file (device, inode, size, times). Any
    /// rebuild changes it, and so does a patched libsqlite3 that kept its version. GRDB and the Swift
    /// runtime are linked into the first image by SwiftPM; as dynamic frameworks they are not covered.
    static let buildIdentity: [UInt8]? = {
        let ours: @convention(c) () -> Void = {}
        let sqlite: @convention(c) () -> UnsafePointer<CChar>? = sqlite3_libversion
        var writer = RecordWriter()
        for address in [unsafeBitCast(ours, to: UnsafeRawPointer.self), unsafeBitCast(sqlite, to: UnsafeRawPointer.self)] {
            var id = [UInt8](repeating: 0, count: 64)
            let length = sr_code_image_build_id(address, &id, id.count)
            if length > 0 {
                writer.bytes.append(1)
                writer.blob(Array(id.prefix(Int(length))))
                continue
            }
            var path = [CChar](repeating: 0, count: 4096)
            guard sr_code_image_path(address, &path, path.count) == 0 else { return nil }
            let image = path.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            var info = stat()
            guard stat(image, &info) == 0 else { return nil }
            writer.bytes.append(2)
            writer.string(image)
            writer.stamp(FileStamp(info))
        }
        return writer.bytes
    }()

    // MARK: - State

    /// The hash of everything a diagnosis reads from `db` when the lock knows every object: every
    /// `sqlite_schema` row, the header values `user_version` and `application_id`, and the rows sqlx's
    /// own ledger statement returns, each value with its storage class. Nil when the ledger is not an
    /// ordinary table (a view or virtual table computes its rows, which could then differ between two
    /// reads). The caller provides the read transaction.
    static func stateKey(_ db: Database, ledger dialect: SQLxLedger) throws -> Digest? {
        var writer = RecordWriter()
        let ledger = SchemaObject.canonicalName(dialect.tableName)
        var ledgerKind: (type: String, sql: String?)?
        try RawStatement.forEachRow(db, "SELECT type, name, tbl_name, sql FROM main.sqlite_schema") { statement in
            writer.row(statement, columns: 4)
            if let name = RawStatement.text(statement, 1), SchemaObject.canonicalName(name) == ledger {
                ledgerKind = (RawStatement.text(statement, 0) ?? "", RawStatement.text(statement, 3))
            }
        }
        writer.bytes.append(0)
        // Two pragmas compile to a few opcodes each; the table-valued pragma_… functions cost a virtual table apiece.
        for pragma in ["PRAGMA main.user_version", "PRAGMA main.application_id"] {
            try RawStatement.forEachRow(db, pragma) { writer.row($0, columns: 1) }
        }
        writer.bytes.append(0)
        if let ledgerKind {
            guard ledgerKind.type == "table",
                  let sql = ledgerKind.sql, SQLTokenizer.tokens(in: sql).prefix(2).map(\.canonical) == ["CREATE", "TABLE"]
            else { return nil }
            // The ledger's own statement, not SELECT *: its ORDER BY may be served by an index, whose entries
            // are then what the diagnosis sees (a damaged index can lack a row the table has).
            if let query = try dialect.rowsQuery(in: db) {
                try RawStatement.forEachRow(db, query) { writer.row($0, columns: sqlite3_column_count($0)) }
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
        guard end > VerdictMemo.magic.count, Array(bytes[0..<VerdictMemo.magic.count]) == VerdictMemo.magic else { throw Malformed() }
        offset = VerdictMemo.magic.count
        guard try byte() == VerdictMemo.format, try digest() == context else { return [] }
        let entries = try array { reader in (key: try reader.digest(), diagnosis: try reader.blob()) }
        guard atEnd else { throw Malformed() }
        return entries
    }
}

// MARK: - Diagnoses in the record layout

/// A remembered diagnosis in the record layout: JSON decoding one costs about as much as the rest of a
/// remembered launch check. A diagnosis with a ``Diagnosis/failure`` is never remembered, so it has none.
extension RecordWriter {
    mutating func diagnosis(_ value: Diagnosis) {
        string(value.path)
        string(value.verdict.rawValue)
        optional(value.matchedVersions) { $0.version($1.lowest); $0.version($1.highest) }
        optional(value.nearestVersion) { $0.version($1) }
        optional(value.schemaFingerprint) { $0.digest($1) }
        let ledger = value.ledger
        string(ledger.table)
        bool(ledger.exists)
        for list in [ledger.versions, ledger.dirty, ledger.checksumMismatches, ledger.unknownVersions] { array(list) { $0.version($1) } }
        array(ledger.moved) { $0.version($1.from); $0.version($1.to) }
        string(ledger.dialect)
        bool(ledger.summarised)
        array(value.findings) { writer, finding in
            writer.string(finding.kind.rawValue)
            writer.string(finding.verdict.rawValue)
            writer.int(Int64(finding.exitCode.rawValue))
            writer.string(finding.message)
            writer.array(finding.versions) { $0.version($1) }
            writer.array(finding.evidence) { writer, evidence in
                writer.optional(evidence.version) { $0.version($1) }
                writer.array(evidence.objects) { $0.string($1) }
                writer.string(evidence.detail)
            }
        }
        array(value.plan.actions) { writer, action in
            writer.string(action.kind.rawValue)
            writer.optional(action.version) { $0.version($1) }
            writer.optionalString(action.description)
            writer.optional(action.checksum) { $0.digest($1) }
            writer.optional(action.previousChecksum) { $0.digest($1) }
            writer.optional(action.previousVersion) { $0.version($1) }
            writer.optionalString(action.installedOn)
            writer.optional(action.executionTime) { $0.int($1) }
            writer.string(action.reason)
        }
        array(value.plan.blockers) { $0.string($1.reason); $0.optionalString($1.flag) }
        optional(value.plan.targetVersion) { $0.version($1) }
        optional(value.ledgerDigest) { $0.digest($1) }
        optional(value.history.order) { $0.string($1.rawValue) }
        for list in [value.history.applied, value.history.pending, value.history.outOfOrder] { array(list) { $0.version($1) } }
        array(value.versionNames.keys.sorted()) { writer, version in
            writer.version(version)
            writer.string(value.versionNames[version]!)
        }
    }
}

extension RecordReader {
    /// The raw value of an enum case; malformed when no case has it.
    private mutating func rawCase<T: RawRepresentable>(_: T.Type) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: try string()) else { throw Malformed() }
        return value
    }

    private mutating func versions() throws -> [MigrationVersion] { try array { try $0.version() } }

    mutating func diagnosis() throws -> Diagnosis {
        let path = try string(), verdict = try rawCase(Verdict.self)
        let matched = try optional { VersionRange(lowest: try $0.version(), highest: try $0.version()) }
        let nearest = try optional { try $0.version() }
        let fingerprint = try optional { try $0.digest() }
        let table = try string(), exists = try bool()
        let recorded = try versions(), dirty = try versions(), mismatches = try versions(), unknown = try versions()
        let moved = try array { LedgerSummary.Move(from: try $0.version(), to: try $0.version()) }
        let ledger = LedgerSummary(table: table, exists: exists, versions: recorded, dirty: dirty, checksumMismatches: mismatches,
                                   unknownVersions: unknown, moved: moved, dialect: try string(), summarised: try bool())
        let findings = try array { reader in
            let kind = try reader.rawCase(Finding.Kind.self), verdict = try reader.rawCase(Verdict.self)
            guard let code = Int32(exactly: try reader.int()), let exitCode = ExitCode(rawValue: code) else { throw Malformed() }
            return Finding(kind: kind, verdict: verdict, exitCode: exitCode, message: try reader.string(), versions: try reader.versions(),
                           evidence: try reader.array { reader in
                               Finding.Evidence(version: try reader.optional { try $0.version() }, objects: try reader.array { try $0.string() },
                                                detail: try reader.string())
                           })
        }
        let actions = try array { reader in
            RepairPlan.Action(kind: try reader.rawCase(RepairPlan.Action.Kind.self), version: try reader.optional { try $0.version() },
                              description: try reader.optionalString(), checksum: try reader.optional { try $0.digest() },
                              previousChecksum: try reader.optional { try $0.digest() },
                              previousVersion: try reader.optional { try $0.version() }, installedOn: try reader.optionalString(),
                              executionTime: try reader.optional { try $0.int() }, reason: try reader.string())
        }
        let blockers = try array { RepairPlan.Blocker(reason: try $0.string(), flag: try $0.optionalString()) }
        let plan = RepairPlan(actions: actions, blockers: blockers, targetVersion: try optional { try $0.version() })
        let ledgerDigest = try optional { try $0.digest() }
        let order = try optional { try $0.rawCase(AppliedHistory.Order.self) }
        let history = AppliedHistory(order: order, applied: try versions(), pending: try versions(), outOfOrder: try versions())
        var diagnosis = Diagnosis(path: path, verdict: verdict, matchedVersions: matched, nearestVersion: nearest,
                                  schemaFingerprint: fingerprint, ledger: ledger, findings: findings, plan: plan,
                                  ledgerDigest: ledgerDigest, history: history)
        for (version, name) in try array({ (try $0.version(), try $0.string()) }) { diagnosis.versionNames[version] = name }
        return diagnosis
    }
}
