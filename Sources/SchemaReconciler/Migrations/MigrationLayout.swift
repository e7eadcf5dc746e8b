import Foundation

/// How a migrator lays out its migration files: one conforming type per migrator, so detecting a
/// project's dialect (for `init`) is a list of layouts asked in turn.
///
/// sqlx is the only layout today (``SQLxMigrationLayout``); golang-migrate, goose, dbmate, diesel or
/// refinery folders fit behind the same protocol, beside their ``LedgerDialect``.
///
/// ```swift
/// guard let layout = MigrationLayouts.detect(in: folder) else { throw SetupError.noMigrations }
/// let set = try layout.loadMigrations(from: folder, ignoredCharacters: [])
/// print(layout.name, set.applying.count)
/// ```
public protocol MigrationLayout: Sendable {
    /// The migrator's name, as people know it (`sqlx`).
    var name: String { get }
    /// The default name of the migrator's ledger table.
    var defaultLedgerTable: String { get }
    /// Whether `folder` holds migrations in this layout.
    func recognises(_ folder: URL) -> Bool
    /// Loads the folder's migrations with this migrator's naming, ordering and checksum rules.
    func loadMigrations(from folder: URL, ignoredCharacters: Set<Unicode.Scalar>) throws -> MigrationSet
}

/// sqlx's layout: `<VERSION>_<DESCRIPTION>.sql` (or `.up.sql` / `.down.sql`) in one folder.
///
/// ```swift
/// let sqlx = SQLxMigrationLayout()
/// if sqlx.recognises(folder) { let set = try sqlx.loadMigrations(from: folder, ignoredCharacters: []) }
/// ```
public struct SQLxMigrationLayout: MigrationLayout {
    /// Creates the layout.
    public init() {}

    /// `sqlx`.
    public var name: String { "sqlx" }

    /// `_sqlx_migrations`.
    public var defaultLedgerTable: String { SQLxLedger.defaultTableName }

    /// Whether some file of `folder` is named like a sqlx migration (`<VERSION>_<DESCRIPTION>.sql`).
    public func recognises(_ folder: URL) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return false }
        return names.contains { name in (try? MigrationSet.parse(fileName: name, in: folder)).flatMap { $0 } != nil }
    }

    /// Loads the folder with sqlx's rules (``MigrationSet/load(from:ignoredCharacters:)``).
    public func loadMigrations(from folder: URL, ignoredCharacters: Set<Unicode.Scalar>) throws -> MigrationSet {
        try MigrationSet.load(from: folder, ignoredCharacters: ignoredCharacters)
    }
}

/// The layouts schema-reconcile knows, in the order detection asks them.
///
/// ```swift
/// print(MigrationLayouts.detect(in: URL(fileURLWithPath: "Migrations"))?.name ?? "unknown") // "sqlx"
/// ```
public enum MigrationLayouts {
    /// Every known layout; a new dialect adds itself here.
    public static let all: [any MigrationLayout] = [SQLxMigrationLayout()]

    /// The first layout that recognises `folder`, if any.
    ///
    /// ```swift
    /// let layout = MigrationLayouts.detect(in: folder) // nil: no known migrator's files
    /// ```
    public static func detect(in folder: URL) -> (any MigrationLayout)? {
        all.first { $0.recognises(folder) }
    }
}
