import Foundation

/// Which bundled file a ledger row records: decided by its checksum first, its version second.
///
/// A row's version says where the migrator filed it; its checksum says which text ran. When a
/// release renumbers or swaps files, the checksum still names the file, so the row is *moved* to
/// that file's version with its history (`installed_on`, `execution_time`) rather than re-stamped.
///
/// ```swift
/// let identities = RowIdentity.identify(rows: ledger.rows, migrations: set, manifest: manifest)
/// for identity in identities where identity.isMoved { print("row \(identity.rowVersion) is file \(identity.file!)") }
/// ```
struct RowIdentity: Sendable, Hashable {
    /// What ties the row to its file.
    public enum Basis: Sendable, Hashable {
        /// The row holds the file's bundled checksum.
        case exact
        /// The row holds the checksum of a line-ending, byte-order-mark or final-newline variant of the file.
        case variant(ChecksumEdit)
        /// The row holds a checksum the manifest declares as one the file had in an earlier release.
        case former(note: String?)
        /// The row holds the checksum of an older text of the file, found in the folder's git history.
        case history(RecoveredText)
        /// The row's own version is bundled but its checksum matches no known text of that file.
        case unexplained
        /// Another row claims the same file more strongly; this one is left to a person.
        case conflict(file: MigrationVersion)
        /// Not a bundled version, and its checksum matches no bundled file.
        case unknown

        /// Strength when two rows claim one file: the stronger keeps it.
        var strength: Int {
            switch self {
            case .exact: return 5
            case .variant: return 4
            case .former: return 3
            case .history: return 2
            case .unexplained: return 1
            case .conflict, .unknown: return 0
            }
        }

        /// The text that was applied, when it is known.
        func appliedText(of migration: Migration) -> String? {
            switch self {
            case .exact: return migration.sql
            case .variant(let edit): return edit.appliedText(from: migration.sql)
            case .history(let recovered): return recovered.text
            case .former, .unexplained, .conflict, .unknown: return nil
            }
        }
    }

    /// The row's recorded version.
    public var rowVersion: MigrationVersion
    /// The bundled version whose file the row records; nil when no bundled file is proven.
    public var file: MigrationVersion?
    /// Why.
    public var basis: Basis

    /// Whether the row records a file other than its own version's.
    public var isMoved: Bool { file != nil && file != rowVersion }

    /// Identifies every row. Pure: git history, if any, was read beforehand into `recovered`.
    public static func identify(rows: [LedgerRow], migrations: MigrationSet, manifest: Manifest?,
                                recovered: [RecoveredText] = []) -> [RowIdentity] {
        // A healthy ledger: every row holds its own file's checksum, and nothing else is needed.
        if rows.allSatisfy({ row in
            migrations.applied(version: row.version).map { $0.checksum == row.checksum } ?? false
        }) {
            return rows.map { RowIdentity(rowVersion: $0.version, file: $0.version, basis: .exact) }
        }
        var exact: [Digest: MigrationVersion] = [:]
        for migration in migrations.applying where exact[migration.checksum] == nil { exact[migration.checksum] = migration.version }
        var variants: [Digest: (MigrationVersion, ChecksumEdit)]?
        func variantTable() -> [Digest: (MigrationVersion, ChecksumEdit)] {
            if let variants { return variants }
            var table: [Digest: (MigrationVersion, ChecksumEdit)] = [:]
            for migration in migrations.applying {
                for edit in ChecksumEdit.allCases {
                    guard let text = edit.appliedText(from: migration.sql) else { continue }
                    let digest = SQLxChecksum.checksum(of: text, ignoring: migrations.ignoredCharacters)
                    if digest != migration.checksum, table[digest] == nil { table[digest] = (migration.version, edit) }
                }
            }
            variants = table
            return table
        }
        func candidate(_ row: LedgerRow) -> RowIdentity {
            let own = migrations.applied(version: row.version)
            guard let checksum = row.checksum.map(Self.decodingHexText) else {
                return RowIdentity(rowVersion: row.version, file: own?.version, basis: own == nil ? .unknown : .unexplained)
            }
            if let own, own.checksum == checksum { return RowIdentity(rowVersion: row.version, file: own.version, basis: .exact) }
            if let other = exact[checksum] { return RowIdentity(rowVersion: row.version, file: other, basis: .exact) }
            // The own file's known older texts come before another file's: a version keeps its row when it can.
            if let own {
                if let edit = ChecksumEdit.explain(recorded: checksum, bundled: own, ignoring: migrations.ignoredCharacters) {
                    return RowIdentity(rowVersion: row.version, file: own.version, basis: .variant(edit))
                }
                if let former = manifest?.formerChecksum(version: own.version, checksum: checksum) {
                    return RowIdentity(rowVersion: row.version, file: own.version, basis: .former(note: former.note))
                }
                if let text = recovered.first(where: { $0.version == own.version && $0.checksum == checksum }) {
                    return RowIdentity(rowVersion: row.version, file: own.version, basis: .history(text))
                }
            }
            if let (version, edit) = variantTable()[checksum] {
                return RowIdentity(rowVersion: row.version, file: version, basis: .variant(edit))
            }
            if let former = manifest?.formerChecksums.first(where: { $0.checksum == checksum }),
               migrations.applied(version: former.version) != nil {
                return RowIdentity(rowVersion: row.version, file: former.version, basis: .former(note: former.note))
            }
            if let text = recovered.first(where: { $0.checksum == checksum }) {
                return RowIdentity(rowVersion: row.version, file: text.version, basis: .history(text))
            }
            return RowIdentity(rowVersion: row.version, file: own?.version, basis: own == nil ? .unknown : .unexplained)
        }
        var identities = rows.map(candidate)
        // One row per file: the strongest claim wins, then the row already filed under that version.
        var claims: [MigrationVersion: [Int]] = [:]
        for (index, identity) in identities.enumerated() {
            if let file = identity.file { claims[file, default: []].append(index) }
        }
        for (file, indices) in claims where indices.count > 1 {
            let winner = indices.max { a, b in
                let left = (identities[a].basis.strength, identities[a].rowVersion == file ? 1 : 0)
                let right = (identities[b].basis.strength, identities[b].rowVersion == file ? 1 : 0)
                return left < right
            }!
            for index in indices where index != winner {
                identities[index].file = nil
                identities[index].basis = .conflict(file: file)
            }
        }
        return identities
    }

    /// A checksum stored as the TEXT of its hex spelling (a hand-written ledger) names the same bytes.
    static func decodingHexText(_ checksum: Digest) -> Digest {
        guard checksum.bytes.count == 96, let text = String(validating: checksum.bytes, as: UTF8.self),
              let decoded = Digest(hex: text) else { return checksum }
        return decoded
    }

    /// Checksums no bundled text, variant or declared former checksum explains: worth a look in git history.
    static func unexplainedChecksums(rows: [LedgerRow], migrations: MigrationSet, manifest: Manifest?) -> [MigrationVersion: Digest] {
        var result: [MigrationVersion: Digest] = [:]
        for identity in identify(rows: rows, migrations: migrations, manifest: manifest) {
            guard case .unexplained = identity.basis, let row = rows.first(where: { $0.version == identity.rowVersion }),
                  let checksum = row.checksum else { continue }
            result[identity.rowVersion] = checksum
        }
        return result
    }
}

/// An older text of a migration file, found in the git history of its folder.
///
/// ```swift
/// let texts = MigrationHistory.texts(of: migration, matching: [recordedChecksum], ignoring: set.ignoredCharacters)
/// print(texts.first?.commit ?? "not in history")
/// ```
struct RecoveredText: Sendable, Hashable {
    /// The bundled version the text belongs to.
    public var version: MigrationVersion
    /// The commit that holds it.
    public var commit: String
    /// The text.
    public var text: String
    /// Its checksum, as the migrator computes it.
    public var checksum: Digest
}
