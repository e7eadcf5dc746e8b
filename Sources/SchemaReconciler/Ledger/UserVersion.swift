import Foundation
import GRDB

/// A ledger that is only `PRAGMA user_version`, the 32-bit integer in the database header that
/// Android's `SQLiteOpenHelper`, FMDB, SQLite.swift apps and rusqlite_migration keep.
///
/// The number means either the last applied version (``Meaning/version``: every bundled version up
/// to it ran) or the count of applied migrations (``Meaning/count``, rusqlite_migration: the first
/// n files ran). Files are named `<V>_<name>.sql`, read as sqlx reads them (a file starting with
/// `-- no-transaction` runs outside the runner's transaction). There is no checksum: a version is
/// its own identity. The value alone cannot tell these tools apart, so this dialect is chosen with
/// `--dialect user-version`, or detected from a database whose `user_version` is set and which holds
/// no other tool's ledger table.
///
/// ```swift
/// let ledger = UserVersion(meaning: .count)
/// let reconciler = try Reconciler(migrationsFolder: folder, dialect: ledger)
/// ```
public struct UserVersion: MigrationDialect, Hashable {
    /// What the number counts.
    public enum Meaning: String, Sendable, Hashable, CaseIterable {
        /// The last applied version (`SQLiteOpenHelper`, FMDB, SQLite.swift apps).
        case version
        /// How many migrations ran, in file order (rusqlite_migration).
        case count
    }

    public var meaning: Meaning
    /// The bundled versions in order (``reading(_:)``).
    var bundledVersions: [MigrationVersion] = []

    public init(meaning: Meaning = .version) { self.meaning = meaning }

    public var name: String { "user-version" }
    public var summarisesVersions: Bool { true }
    /// No table: the name stands for the header field in messages, and no object is called so.
    public var tableName: String { "PRAGMA user_version" }
    public var defaultLedgerTable: String { tableName }

    public func renamingTable(to name: String) throws -> any MigrationDialect {
        throw SQLxLedger.InvalidTableName(text: name)
    }

    public func reading(_ migrations: MigrationSet) -> any LedgerDialect {
        var bound = self
        bound.bundledVersions = migrations.applying.map(\.version)
        return bound
    }

    // MARK: - Layout

    /// Never from the folder alone: the files are sqlx's simple ones, and a number in the header says nothing of its tool.
    public func recognises(_ folder: URL) -> Bool { false }

    /// The folder with sqlx's file rules; each file's identity is its version.
    public func loadMigrations(from folder: URL, ignoredCharacters: Set<Unicode.Scalar>) throws -> MigrationSet {
        let files = try MigrationSet.load(from: folder)
        let migrations = files.migrations.map { file in
            Migration(version: file.version, description: file.description, kind: file.kind, fileName: file.fileName,
                      url: file.url, sql: file.sql, checksum: Self.identity(of: file.version), noTransaction: file.noTransaction)
        }
        return try MigrationSet(folder: folder, migrations: migrations)
    }

    static func identity(of version: MigrationVersion) -> Digest {
        Digest.sha384(of: Array("user_version \(version)".utf8))
    }

    // MARK: - Reading

    /// A set `user_version` with no other known tool's ledger table beside it.
    public func holdsLedger(_ db: Database) throws -> Bool {
        guard try Int32.fetchOne(db, sql: "PRAGMA main.user_version") ?? 0 != 0 else { return false }
        for other in Dialects.all where !(other is UserVersion) {
            if try Self.tableExists(other.defaultLedgerTable, in: db) { return false }
        }
        return true
    }

    /// 0 is "no migration ran" (absent); n stands for the bundled versions it covers.
    public func read(_ db: Database) throws -> LedgerState {
        let value = Int64(try Int32.fetchOne(db, sql: "PRAGMA main.user_version") ?? 0)
        guard value != 0 else { return .absent }
        guard value > 0 else {
            return .unusable(reason: "user_version is \(value); no migration tool records a negative number")
        }
        let covered: [MigrationVersion]
        switch meaning {
        case .version:
            covered = bundledVersions.filter { $0 < MigrationVersion(value) } + [MigrationVersion(value)]
        case .count:
            guard value <= Int64(bundledVersions.count) else {
                return .unusable(reason: "user_version \(value) counts more migrations than the \(bundledVersions.count) bundled (rusqlite_migration's DatabaseTooFarAhead)")
            }
            covered = Array(bundledVersions.prefix(Int(value)))
        }
        let rows = covered.map { LedgerRow(version: $0, checksum: Self.identity(of: $0)) }
        return .present(LedgerContents(rows: rows, columns: ["user_version"]))
    }

    // MARK: - Writing

    /// The number that says `versions` ran: the highest (version) or how many (count); nil when no number does.
    func value(for versions: [MigrationVersion]) -> Int64? {
        guard let top = versions.max() else { return 0 }
        let expected = bundledVersions.filter { $0 <= top }
        guard versions.sorted() == expected || (meaning == .version && versions.sorted() == expected + [top] && !bundledVersions.contains(top)) else {
            return nil
        }
        return meaning == .version ? top.integer : Int64(expected.count)
    }

    public func cannotRecord(applied versions: [MigrationVersion], migrations: MigrationSet) -> RepairPlan.Blocker? {
        guard value(for: versions) == nil, let top = versions.max() else { return nil }
        let missing = migrations.applying.map(\.version).filter { $0 < top && !versions.contains($0) }
        return RepairPlan.Blocker(
            reason: "user_version says every migration up to one ran; the schema proves \(top) applied but not "
                + "\(missing.map(String.init).joined(separator: ", ")), so no number tells the truth",
            flag: "--assume-version \(top)")
    }

    /// `PRAGMA user_version = N`, as the tools write it (a header write, no row changes).
    public func record(_ actions: [RepairPlan.Action], current: [LedgerRow], migrations: MigrationSet, in db: Database) throws -> Int {
        guard let number = value(for: RepairPlan.appliedVersions(after: actions, over: current)), number <= Int64(Int32.max) else {
            throw DatabaseError(message: "no user_version says what the plan leaves applied")
        }
        try db.execute(sql: "PRAGMA main.user_version = \(number)")
        return 0
    }

    /// The tools' refusal: a number beyond the bundled set (downgrade / too far ahead).
    public func startupProblem(rows: [LedgerRow], migrations: MigrationSet, ignoreMissing: Bool) -> String? {
        guard let top = rows.map(\.version).max(), let tip = migrations.applying.last?.version, top > tip else { return nil }
        return "Can't downgrade database from version \(top) to \(tip)"
    }
}
