import Foundation
import GRDB
import GRDBSQLite

/// A migration that failed to replay into the private in-memory database.
///
/// ```swift
/// catch let error as ReplayError { print(error) } // "Migrations/0007_x.sql: version 7 failed to replay: no such table: t"
/// ```
public struct ReplayError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The version that failed.
    public let version: MigrationVersion
    /// The file that failed.
    public let path: String
    /// SQLite's message.
    public let message: String
    /// The SQLite library the replay ran on: a function newer than it (`concat()` needs 3.44) fails here.
    public let sqliteVersion: String

    public init(version: MigrationVersion, path: String, message: String) {
        self.version = version
        self.path = path
        self.message = message
        self.sqliteVersion = String(cString: sqlite3_libversion())
    }

    public var description: String {
        "\(path): version \(version) failed to replay: \(message) (SQLite \(sqliteVersion))"
    }
}

/// Computes per-version fingerprints by replaying migrations into a private in-memory database.
///
/// Replay is incremental: after each migration only objects whose `sqlite_schema` text changed are
/// read again, and a migration that leaves `schema_version` untouched is known to be schema-silent
/// without reading anything.
///
/// ```swift
/// let set = try MigrationSet.load(from: URL(fileURLWithPath: "Migrations"))
/// let timeline = try Fingerprinter().fingerprint(set)
/// print(timeline.tip.fingerprint.short)
/// ```
public struct Fingerprinter: Sendable {
    /// What snapshots exclude (ledger table name, ignored patterns).
    public var options: SnapshotOptions
    /// Probes and invariants to compile against the replayed schema (each probe right after its version).
    public var manifest: Manifest?
    /// Whether the timeline keeps each version's objects whole; false keeps their identities and
    /// hashes only, and no known objects (a fingerprint report's replay, see ``ReplayCursor``).
    var keepsStructure = true

    /// Creates a fingerprinter.
    public init(options: SnapshotOptions = SnapshotOptions(), manifest: Manifest? = nil) {
        self.options = options
        self.manifest = manifest
    }

    /// Replays `set` and returns its timeline; `progress`, if given, is called after each migration
    /// replayed with the number done and the total.
    ///
    /// A migration that fails to replay throws ``ReplayError``, unless `stoppingAtFailure` is true: then
    /// the timeline ends at the version before it and records the failure in
    /// ``FingerprintTimeline/replayFailure``, so databases whose evidence lies before it can still be diagnosed.
    ///
    /// ```swift
    /// let timeline = try Fingerprinter().fingerprint(set) { done, total in print("\(done)/\(total)") }
    /// ```
    public func fingerprint(_ set: MigrationSet, stoppingAtFailure: Bool = false,
                            progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> FingerprintTimeline {
        var snapshotOptions = options
        snapshotOptions.trackedPragmas = Self.headerPragmas(setBy: set)
        var cursor = try ReplayCursor(options: snapshotOptions, runsCode: set.replay != nil, keepsStructure: keepsStructure)
        var failure: ReplayError?
        let total = set.applying.count
        for (done, migration) in set.applying.enumerated() {
            do {
                try cursor.apply(migration, replay: set.replay) { db in try compileProbes(for: migration.version, db) }
                progress?(done + 1, total)
            } catch let error as ReplayError where stoppingAtFailure {
                failure = error
                break
            }
        }
        if failure == nil {
            try cursor.queue.writeWithoutTransaction { db in try compileInvariants(db) }
        }
        return FingerprintTimeline(steps: cursor.steps, trackedPragmas: snapshotOptions.trackedPragmas,
                                   namesCreatedBySQL: Self.namesCreated(by: set), knownObjects: cursor.introspector.learned,
                                   replayFailure: failure)
    }

    /// A probe must compile, as a read-only query, against the schema its version leaves.
    private func compileProbes(for version: MigrationVersion, _ db: Database) throws {
        guard let manifest else { return }
        for probe in manifest.probes where probe.version == version {
            try compile(probe.sql, db, manifest: manifest, line: probe.line, key: "probe.sql",
                        context: "at version \(version)")
        }
    }

    /// An invariant must compile, as a read-only query, against the newest schema.
    private func compileInvariants(_ db: Database) throws {
        guard let manifest else { return }
        for invariant in manifest.invariants {
            try compile(invariant.sql, db, manifest: manifest, line: invariant.line, key: "invariant.sql",
                        context: "against the newest schema")
        }
    }

    private func compile(_ sql: String, _ db: Database, manifest: Manifest, line: Int?, key: String, context: String) throws {
        do {
            _ = try DeclaredChecks.readOnlyStatement(sql, db)
        } catch {
            throw ConfigurationError(path: manifest.url.path, line: line, key: key,
                                     message: "\(DeclaredChecks.describe(error)) (\(context))")
        }
    }

    /// Header pragmas some migration assigns (`PRAGMA user_version = 3`): only those count in snapshots.
    static func headerPragmas(setBy set: MigrationSet) -> [String] {
        var found: Set<String> = []
        for migration in set.applying {
            let tokens = SQLTokenizer.tokens(in: migration.sql)
            for (index, token) in tokens.enumerated() where token.canonical == "PRAGMA" {
                var next = index + 1
                // Skip a schema qualifier such as `main.`.
                if next + 2 < tokens.count, tokens[next + 1].isSymbol(".") { next += 2 }
                guard next + 1 < tokens.count else { continue }
                let name = tokens[next].canonical
                let assigns = tokens[next + 1].isSymbol("=") || tokens[next + 1].isSymbol("(")
                if assigns, name == "user_version" || name == "application_id" { found.insert(name) }
            }
        }
        return found.sorted()
    }

    /// Names each migration's SQL creates (`CREATE ... name`, `ALTER TABLE ... RENAME TO name`).
    static func namesCreated(by set: MigrationSet) -> [String: MigrationVersion] {
        var names: [String: MigrationVersion] = [:]
        let objectWords: Set<String> = ["TABLE", "INDEX", "VIEW", "TRIGGER"]
        let skippable: Set<String> = ["TEMP", "TEMPORARY", "UNIQUE", "VIRTUAL", "IF", "NOT", "EXISTS"]
        for migration in set.applying {
            let tokens = SQLTokenizer.tokens(in: migration.sql)
            var index = 0
            while index < tokens.count {
                defer { index += 1 }
                let word = tokens[index].canonical
                var cursor = index + 1
                if word == "CREATE" {
                    while cursor < tokens.count, skippable.contains(tokens[cursor].canonical) { cursor += 1 }
                    guard cursor < tokens.count, objectWords.contains(tokens[cursor].canonical) else { continue }
                    cursor += 1
                    while cursor < tokens.count, skippable.contains(tokens[cursor].canonical) { cursor += 1 }
                } else if word == "RENAME", cursor + 1 < tokens.count, tokens[cursor].canonical == "TO" {
                    cursor += 1
                } else {
                    continue
                }
                // A schema-qualified name (`main.x`) names x.
                if cursor + 2 < tokens.count, tokens[cursor + 1].isSymbol(".") { cursor += 2 }
                guard cursor < tokens.count, tokens[cursor].kind == .identifier || tokens[cursor].kind == .keyword else { continue }
                let name = SchemaObject.canonicalName(tokens[cursor].value)
                if names[name] == nil { names[name] = migration.version }
            }
        }
        return names
    }
}
