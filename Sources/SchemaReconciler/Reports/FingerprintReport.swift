import CSQLiteHardening
import Foundation

/// The per-version fingerprints of a migration set, ready to print as text, JSON or Markdown.
///
/// One entry per applied migration: its sqlx checksum (SHA-384), the fingerprint of the schema
/// after it (SHA-256), and its effect on the schema.
///
/// ```swift
/// let reconciler = try Reconciler(migrationsFolder: URL(fileURLWithPath: "Migrations"))
/// let report = FingerprintReport(reconciler: reconciler)
/// print(report.text(useColor: false))
/// ```
public struct FingerprintReport: Sendable, Hashable {
    /// The version of the JSON document's layout; bumped on any incompatible change.
    ///
    /// ```swift
    /// assert(FingerprintReport.formatVersion == 1)
    /// ```
    public static let formatVersion = 1

    /// One applied migration and the schema it leaves.
    ///
    /// ```swift
    /// for entry in report.entries where entry.isSchemaSilent { print(entry.version, "changes no schema object") }
    /// ```
    public struct Entry: Sendable, Hashable {
        /// The migration's version.
        public var version: MigrationVersion
        /// The description sqlx records.
        public var description: String
        /// The migration's file name.
        public var fileName: String
        /// The checksum sqlx records for the file (SHA-384).
        public var checksum: Digest
        /// The fingerprint of the schema after this migration (SHA-256).
        public var fingerprint: Digest
        /// Whether the migration leaves no schema trace.
        public var isSchemaSilent: Bool
        /// Objects the migration creates, as `kind name` (for example `table threads`).
        public var added: [String]
        /// Objects the migration drops, as `kind name`.
        public var removed: [String]
        /// Objects the migration alters, as `kind name`.
        public var changed: [String]
        /// Whether sqlx runs the file outside a transaction (`-- no-transaction`).
        public var noTransaction: Bool

        /// Creates an entry from a timeline step; nil for the starting point, which has no migration.
        ///
        /// ```swift
        /// let entries = timeline.steps.compactMap(FingerprintReport.Entry.init(step:))
        /// ```
        public init?(step: FingerprintTimeline.Step) {
            guard let migration = step.migration else { return nil }
            self.version = migration.version
            self.description = migration.description
            self.fileName = migration.fileName
            self.checksum = migration.checksum
            self.fingerprint = step.fingerprint
            self.isSchemaSilent = step.isSchemaSilent
            self.added = step.effect.added.map(Self.label)
            self.removed = step.effect.removed.map(Self.label)
            self.changed = step.effect.changed.map { "\($0.object.kind.rawValue) \($0.name)" }
            self.noTransaction = migration.noTransaction
        }

        /// The effect in one line: `+table thread_names, ~table threads, -table logs`.
        ///
        /// ```swift
        /// print(entry.effectSummary) // "schema-silent" for a data-only migration
        /// ```
        public var effectSummary: String {
            let parts = added.map { "+" + $0 } + changed.map { "~" + $0 } + removed.map { "-" + $0 }
            return parts.isEmpty ? "schema-silent" : parts.joined(separator: ", ")
        }

        private static func label(_ object: SchemaObject) -> String { "\(object.kind.rawValue) \(object.name)" }
    }

    /// The folder the migrations were read from.
    public var migrationsFolder: String
    /// Applied migrations in order (the empty starting point is not an entry).
    public var entries: [Entry]
    /// The fingerprint of the empty schema, F(0).
    public var emptyFingerprint: Digest
    /// The ledger table excluded from snapshots.
    public var ledgerTable: String
    /// Characters removed before checksumming (sqlx.toml `ignored-chars`), as `U+000D` spellings.
    public var ignoredCharacters: [String]
    /// Name patterns of objects left out of the migrated schema.
    public var ignoredObjects: [String]
    /// Header pragmas that count in fingerprints because some migration sets them.
    public var trackedPragmas: [String]
    /// The SQLite library version the replay ran on (fingerprints do not depend on it).
    public var sqliteVersion: String?
    /// Where each setting came from (flag, sqlx.toml, default).
    public var settings: [ResolvedSettings.Setting] = []
    /// Where the fingerprints came from (lock or replay).
    public var fingerprintSource: String?
    /// The same, as a value (a stale lock's reasons included).
    public var source: Reconciler.FingerprintSource?

    /// The newest version, if the set applies any migration.
    ///
    /// ```swift
    /// if let tip = report.tip { print("tip", tip.version, tip.fingerprint.short) }
    /// ```
    public var tip: Entry? { entries.last }

    /// Builds a report from a migration set and its timeline.
    ///
    /// ```swift
    /// let timeline = try Fingerprinter().fingerprint(set)
    /// let report = FingerprintReport(migrations: set, timeline: timeline)
    /// ```
    public init(migrations: MigrationSet, timeline: FingerprintTimeline,
                ledgerTable: String = SQLxLedger.defaultTableName, ignored: [NamePattern] = [],
                sqliteVersion: String? = FingerprintReport.linkedSQLiteVersion) {
        self.migrationsFolder = migrations.folder.path
        self.entries = timeline.steps.compactMap(Entry.init(step:))
        self.emptyFingerprint = timeline.steps.first?.fingerprint ?? SchemaSnapshot.empty.hash
        self.ledgerTable = ledgerTable
        self.ignoredCharacters = ReportLayout.scalarNames(migrations.ignoredCharacters)
        self.ignoredObjects = ignored.map(\.pattern)
        self.trackedPragmas = timeline.trackedPragmas
        self.sqliteVersion = sqliteVersion
    }

    /// Builds a report from a reconciler's migrations, ledger table and ignored patterns.
    ///
    /// ```swift
    /// let report = FingerprintReport(reconciler: try Reconciler(migrationsFolder: folder))
    /// ```
    public init(reconciler: Reconciler, sqliteVersion: String? = FingerprintReport.linkedSQLiteVersion) {
        self.init(migrations: reconciler.migrations, timeline: reconciler.timeline,
                  ledgerTable: reconciler.ledger.tableName, ignored: reconciler.snapshotOptions.ignored,
                  sqliteVersion: sqliteVersion)
        self.fingerprintSource = reconciler.fingerprintSource.description
        self.source = reconciler.fingerprintSource
    }

    /// Reads the folder's lock, or replays `migrations` keeping of each version only what a report
    /// prints: its fingerprint and the kinds and names of the objects it changed.
    ///
    /// The report equals ``init(reconciler:)`` of a ``Reconciler`` made with the same arguments, but a
    /// replay of thousands of migrations holds neither the structure of every object version the
    /// history had nor the stored texts a lock records (`Benchmarks/RESULTS.md` has the memory).
    ///
    /// ```swift
    /// let set = try MigrationSet.load(from: URL(fileURLWithPath: "Migrations"))
    /// print(try FingerprintReport(migrations: set).text())
    /// ```
    ///
    /// - Throws: ``ConfigurationError`` for an invalid `reconcile.toml`, ``ReplayError`` when a
    ///   migration fails to replay.
    public init(migrations: MigrationSet, ledger: any LedgerDialect = SQLxLedger(), ignored: [NamePattern] = [],
                useLock: Bool = true, replayProgress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws {
        let reconciler = try Reconciler(migrations: migrations, ledger: ledger, ignored: ignored, useLock: useLock,
                                        loadManifest: true, replayProgress: replayProgress, keepsStructure: false)
        if let failure = reconciler.timeline.replayFailure { throw failure }
        self.init(reconciler: reconciler)
    }

    /// The version of the SQLite library this process is linked with.
    ///
    /// ```swift
    /// print(FingerprintReport.linkedSQLiteVersion) // "3.40.1"
    /// ```
    public static var linkedSQLiteVersion: String { String(cString: sqlite3_libversion()) }
}

// MARK: - JSON

extension FingerprintReport {
    /// The report as a stable, versioned JSON document (sorted keys, digests in lowercase hex).
    ///
    /// ```swift
    /// try report.json().write(toFile: "fingerprints.json", atomically: true, encoding: .utf8)
    /// ```
    public func json() -> String {
        var text = ""
        writeJSON { text += $0 }
        return text
    }

    /// The same document as ``json()``, handed to `write` in pieces (one per migration), so the text of
    /// thousands of migrations is never held whole.
    ///
    /// ```swift
    /// report.writeJSON { print($0, terminator: "") }
    /// print()
    /// ```
    public func writeJSON(to write: (String) -> Void) {
        ReportJSON.write(Document(self, withMigrations: false), key: "migrations",
                         elements: entries.lazy.map(Document.Migration.init), to: write)
    }

    /// The JSON layout, with fixed key names independent of the model's property names.
    struct Document: Codable {
        struct Effect: Codable {
            var added: [String]
            var removed: [String]
            var changed: [String]
        }

        struct Migration: Codable {
            var version: MigrationVersion
            var description: String
            var fileName: String
            var checksum: String
            var fingerprint: String
            var schemaSilent: Bool
            var effect: Effect
            var noTransaction: Bool

            init(_ entry: Entry) {
                version = entry.version
                description = entry.description
                fileName = entry.fileName
                checksum = entry.checksum.hex
                fingerprint = entry.fingerprint.hex
                schemaSilent = entry.isSchemaSilent
                effect = Effect(added: entry.added, removed: entry.removed, changed: entry.changed)
                noTransaction = entry.noTransaction
            }
        }

        struct Tip: Codable {
            var version: MigrationVersion
            var fingerprint: String
        }

        var formatVersion: Int
        var snapshotFormat: Int
        var migrationsFolder: String
        var ledgerTable: String
        var ignoredCharacters: [String]
        var ignoredObjects: [String]
        var trackedPragmas: [String]
        var sqliteVersion: String?
        var emptyFingerprint: String
        var tip: Tip?
        var migrations: [Migration]
        var settings: [ResolvedSettings.Setting]
        var fingerprints: String?

        init(_ report: FingerprintReport, withMigrations: Bool = true) {
            formatVersion = FingerprintReport.formatVersion
            snapshotFormat = SchemaSnapshot.formatVersion
            migrationsFolder = report.migrationsFolder
            ledgerTable = report.ledgerTable
            ignoredCharacters = report.ignoredCharacters
            ignoredObjects = report.ignoredObjects
            trackedPragmas = report.trackedPragmas
            sqliteVersion = report.sqliteVersion
            emptyFingerprint = report.emptyFingerprint.hex
            settings = report.settings
            fingerprints = report.fingerprintSource
            tip = report.tip.map { Tip(version: $0.version, fingerprint: $0.fingerprint.hex) }
            migrations = withMigrations ? report.entries.map(Migration.init) : []
        }

        enum CodingKeys: String, CodingKey {
            case formatVersion, snapshotFormat, migrationsFolder, ledgerTable, ignoredCharacters, ignoredObjects
            case trackedPragmas, sqliteVersion, emptyFingerprint, tip, migrations, settings, fingerprints
        }

        // Written by hand so absent values appear as explicit nulls.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(formatVersion, forKey: .formatVersion)
            try container.encode(snapshotFormat, forKey: .snapshotFormat)
            try container.encode(migrationsFolder, forKey: .migrationsFolder)
            try container.encode(ledgerTable, forKey: .ledgerTable)
            try container.encode(ignoredCharacters, forKey: .ignoredCharacters)
            try container.encode(ignoredObjects, forKey: .ignoredObjects)
            try container.encode(trackedPragmas, forKey: .trackedPragmas)
            try container.encode(sqliteVersion, forKey: .sqliteVersion)
            try container.encode(emptyFingerprint, forKey: .emptyFingerprint)
            try container.encode(tip, forKey: .tip)
            try container.encode(migrations, forKey: .migrations)
            try container.encode(settings, forKey: .settings)
            try container.encode(fingerprints, forKey: .fingerprints)
        }
    }
}

// MARK: - Text

extension FingerprintReport {
    /// The report as aligned text for people; ANSI colour only when `useColor` is true.
    ///
    /// ```swift
    /// print(report.text(useColor: isatty(STDOUT_FILENO) != 0))
    /// ```
    public func text(useColor: Bool = false) -> String {
        let style = TextStyle(enabled: useColor)
        let printable = ControlCharacters.escape
        var lines: [String] = []
        var heading = "\(printable(migrationsFolder)): \(entries.count) migration(s)"
        if let tip {
            heading += ", tip \(tip.version) (fingerprint \(tip.fingerprint.short))"
        }
        lines.append(style(heading, .bold))
        var settings: [String] = []
        if ledgerTable != SQLxLedger.defaultTableName { settings.append("ledger table \(printable(ledgerTable))") }
        if !ignoredCharacters.isEmpty { settings.append("ignored chars \(ignoredCharacters.joined(separator: " "))") }
        if !ignoredObjects.isEmpty { settings.append("ignoring \(printable(ignoredObjects.joined(separator: ", ")))") }
        if !trackedPragmas.isEmpty { settings.append("tracking pragma \(trackedPragmas.joined(separator: ", "))") }
        if !settings.isEmpty { lines.append(style(settings.joined(separator: "; "), .dim)) }
        for setting in self.settings where setting.source != "default" {
            lines.append(style(printable("\(setting.name) = \(setting.value)  (from \(setting.source))"), .dim))
        }
        if let fingerprintSource { lines.append(style(printable(fingerprintSource), .dim)) }
        guard !entries.isEmpty else { return lines.joined(separator: "\n") }

        let versionWidth = max("version".count, entries.map { "\($0.version)".count }.max() ?? 0)
        let descriptionWidth = max("description".count, entries.map { printable($0.description).count }.max() ?? 0)
        let hashWidth = 12
        lines.append(style([ReportLayout.padLeft("version", versionWidth), ReportLayout.pad("description", descriptionWidth),
                            ReportLayout.pad("checksum", hashWidth), ReportLayout.pad("fingerprint", hashWidth),
                            "effect"].joined(separator: "  "), .dim))
        for entry in entries {
            var effect = entry.isSchemaSilent ? style("schema-silent", .yellow) : coloredEffect(entry, style)
            if entry.noTransaction { effect += style("  [no-transaction]", .cyan) }
            lines.append([ReportLayout.padLeft("\(entry.version)", versionWidth),
                          ReportLayout.pad(printable(entry.description), descriptionWidth),
                          style(entry.checksum.short, .dim),
                          entry.fingerprint.short,
                          effect].joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }

    private func coloredEffect(_ entry: Entry, _ style: TextStyle) -> String {
        let printable = ControlCharacters.escape
        let parts = entry.added.map { style("+" + printable($0), .green) }
            + entry.changed.map { style("~" + printable($0), .yellow) }
            + entry.removed.map { style("-" + printable($0), .red) }
        return parts.joined(separator: ", ")
    }
}

// MARK: - Markdown

extension FingerprintReport {
    /// The report as GitHub-flavoured Markdown: a heading, the settings, and one table row per migration.
    ///
    /// ```swift
    /// let summary = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"]!
    /// try report.markdown().write(toFile: summary, atomically: true, encoding: .utf8)
    /// ```
    public func markdown() -> String {
        var lines = ["## Migration fingerprints", ""]
        var facts = ["Migrations: \(Markdown.code(migrationsFolder))", "\(entries.count) migration(s)"]
        if let tip { facts.append("tip **\(tip.version)** \(Markdown.code(tip.fingerprint.short))") }
        if !ignoredCharacters.isEmpty { facts.append("ignored chars \(ignoredCharacters.joined(separator: " "))") }
        if !ignoredObjects.isEmpty { facts.append("ignoring \(ignoredObjects.map(Markdown.code).joined(separator: ", "))") }
        lines.append(facts.joined(separator: " · "))
        lines.append("")
        let rows = entries.map { entry -> [String] in
            var effect = entry.isSchemaSilent ? "—" : Markdown.escape(entry.effectSummary)
            if entry.noTransaction { effect += " (no-transaction)" }
            return ["\(entry.version)", Markdown.escape(entry.description), Markdown.code(entry.fingerprint.short),
                    effect, entry.isSchemaSilent ? "yes" : ""]
        }
        lines += Markdown.table(header: ["version", "description", "fingerprint", "effect", "silent"],
                                alignments: ["---:", "---", "---", "---", ":---:"], rows: rows)
        return lines.joined(separator: "\n")
    }
}
