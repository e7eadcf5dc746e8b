import Foundation

/// Sets up schema-reconcile for a project that has migrations but no manifest: detects the
/// migrator's layout, replays the migrations, drafts `reconcile.toml` (a commented probe stub per
/// schema-silent migration) and writes the fingerprint lock.
///
/// Nothing is overwritten: when either file exists the setup refuses before writing anything, and
/// each file is created with `O_CREAT|O_EXCL`, so a file that appears meanwhile is not replaced.
///
/// ```swift
/// let outcome = try ProjectSetup(migrationsFolder: URL(fileURLWithPath: "migrations")).run()
/// print(outcome.layout, outcome.written.map(\.lastPathComponent), outcome.probeStubs)
/// ```
public struct ProjectSetup: Sendable {
    /// Why a setup did not happen.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// No known migrator's layout is in the folder.
        case noMigrations(folder: String, layouts: [String])
        /// A file the setup would write already exists; nothing was written.
        case alreadyExists(path: String)
        /// A file could not be created; files this setup created before are removed again.
        case cannotWrite(path: String, reason: String)

        public var description: String {
            switch self {
            case .noMigrations(let folder, let layouts):
                return "\(folder): no migrations in a layout schema-reconcile knows (\(layouts.joined(separator: ", ")))"
            case .alreadyExists(let path):
                return "\(path) already exists; init never overwrites a file (edit it, or remove it and run init again)"
            case .cannotWrite(let path, let reason):
                return "\(path): cannot write: \(reason)"
            }
        }
    }

    /// What a setup wrote.
    public struct Outcome: Sendable {
        /// The layout detected (`sqlx`).
        public var layout: String
        /// The migration set replayed.
        public var migrations: MigrationSet
        /// The manifest written.
        public var manifestURL: URL
        /// The lock written.
        public var lockURL: URL
        /// Versions given a commented `[[probe]]` stub (the schema-silent ones).
        public var probeStubs: [MigrationVersion]
        /// The fingerprint of the newest version.
        public var tipFingerprint: Digest

        /// Both files, in the order they were written.
        public var written: [URL] { [manifestURL, lockURL] }
    }

    /// The folder holding the migrations.
    public var migrationsFolder: URL
    /// Characters removed before checksumming (sqlx.toml `ignored-chars`).
    public var ignoredCharacters: Set<Unicode.Scalar>
    /// The ledger table's name; nil for the layout's default.
    public var ledgerTable: String?
    /// Patterns of objects outside the migrated schema, written into the manifest's `[ignore]`.
    public var ignored: [NamePattern]
    /// The layouts to detect from, in order.
    public var layouts: [any MigrationLayout]

    /// Creates a setup for `migrationsFolder`.
    ///
    /// ```swift
    /// let setup = ProjectSetup(migrationsFolder: folder, ignored: [NamePattern("cache_*")])
    /// ```
    public init(migrationsFolder: URL, ignoredCharacters: Set<Unicode.Scalar> = [], ledgerTable: String? = nil,
                ignored: [NamePattern] = [], layouts: [any MigrationLayout] = MigrationLayouts.all) {
        self.migrationsFolder = migrationsFolder
        self.ignoredCharacters = ignoredCharacters
        self.ledgerTable = ledgerTable
        self.ignored = ignored
        self.layouts = layouts
    }

    /// Runs the setup. Migration and replay errors (``MigrationSetError``, ``ReplayError``) are thrown
    /// as they are, before any file is written. `replayProgress`, if given, is called after each migration replayed.
    ///
    /// ```swift
    /// let outcome = try setup.run { done, total in print("\(done)/\(total)") }
    /// print("stubs for", outcome.probeStubs)
    /// ```
    public func run(replayProgress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Outcome {
        let manifestURL = migrationsFolder.appendingPathComponent(Manifest.fileName)
        let lockURL = migrationsFolder.appendingPathComponent(FingerprintLock.fileName)
        for url in [manifestURL, lockURL] where Self.exists(url) {
            throw Failure.alreadyExists(path: url.path)
        }
        guard let layout = layouts.first(where: { $0.recognises(migrationsFolder) }) else {
            // Let the loader say what is wrong with the folder (missing, not a folder) when it can.
            _ = try MigrationSet.load(from: migrationsFolder, ignoredCharacters: ignoredCharacters)
            throw Failure.noMigrations(folder: migrationsFolder.path, layouts: layouts.map(\.name))
        }
        let set = try layout.loadMigrations(from: migrationsFolder, ignoredCharacters: ignoredCharacters)
        var options = SnapshotOptions(ledgerTable: ledgerTable ?? layout.defaultLedgerTable, ignored: ignored)
        let timeline = try Fingerprinter(options: options).fingerprint(set, progress: replayProgress)
        options.trackedPragmas = timeline.trackedPragmas
        let draft = ManifestDraft(migrations: set, timeline: timeline, ignored: ignored)

        try create(manifestURL, Data(draft.text.utf8))
        do {
            // The lock records the manifest's digest, so it is made from the file as written.
            guard let manifest = try Manifest.load(from: manifestURL) else {
                throw Failure.cannotWrite(path: manifestURL.path, reason: "the file vanished after it was written")
            }
            try manifest.validate(against: set)
            let lock = FingerprintLock(migrations: set, timeline: timeline, options: options, manifest: manifest)
            try create(lockURL, try lock.encoded())
        } catch {
            unlink(manifestURL.path)
            throw error
        }
        return Outcome(layout: layout.name, migrations: set, manifestURL: manifestURL, lockURL: lockURL,
                       probeStubs: draft.stubVersions, tipFingerprint: timeline.tip.fingerprint)
    }

    /// Creates `url` holding `data`, flushed to disk, through ``ExclusiveFile`` (never over an existing
    /// file, never through a link planted at its name; nothing left behind on failure).
    private func create(_ url: URL, _ data: Data) throws {
        do {
            try ExclusiveFile.write(data, toNewFileAt: url.path, mode: 0o644)
        } catch let failure as ExclusiveFile.Failure {
            if failure.code == EEXIST || failure.code == ELOOP { throw Failure.alreadyExists(path: url.path) }
            throw Failure.cannotWrite(path: url.path, reason: ExclusiveFile.Failure.reason(failure.code))
        }
    }

    /// Whether anything (even a dangling symlink) has this name.
    private static func exists(_ url: URL) -> Bool {
        var status = stat()
        return lstat(url.path, &status) == 0
    }
}
