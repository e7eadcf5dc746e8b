import Foundation

/// A first `reconcile.toml` for a migration set: a commented `[[probe]]` stub for every
/// schema-silent migration, showing the statements the probe must prove ran.
///
/// A schema-silent migration (data-only, or DDL with no net effect) leaves a database at its version
/// indistinguishable from one at the version before; only a probe — a read-only query that is true
/// when the migration ran — tells them apart. The draft cannot write that query; it says what it must
/// prove and leaves the stub commented, so the file is valid TOML as written.
///
/// ```swift
/// let timeline = try Fingerprinter().fingerprint(set)
/// let draft = ManifestDraft(migrations: set, timeline: timeline)
/// print(draft.stubVersions) // [12, 17, 33, 34] for the bundled Migrations/
/// try draft.text.write(to: folder.appendingPathComponent(Manifest.fileName), atomically: false, encoding: .utf8)
/// ```
public struct ManifestDraft: Sendable, Hashable {
    /// Versions that get a `[[probe]]` stub, in order.
    public var stubVersions: [MigrationVersion]
    /// The file's text.
    public var text: String

    /// How many lines of a migration a stub quotes before saying how many it left out.
    static let quotedLines = 24

    /// Drafts the manifest; `ignored` patterns become an uncommented `[ignore]` table.
    ///
    /// ```swift
    /// let draft = ManifestDraft(migrations: set, timeline: timeline, ignored: [NamePattern("cache_*")])
    /// ```
    public init(migrations: MigrationSet, timeline: FingerprintTimeline, ignored: [NamePattern] = []) {
        var lines = [
            "# Declarations schema-reconcile uses where the schema alone cannot decide (drafted by `schema-reconcile init`).",
            "# sqlx ignores this file: only files named <VERSION>_<DESCRIPTION>.sql are migrations.",
            "",
        ]
        if ignored.isEmpty {
            lines += ["# Objects the app creates at run time, outside migrations (name patterns, * and ?):",
                      "# [ignore]", "# objects = [\"cache_*\"]"]
        } else {
            lines += ["# Objects the app creates at run time, outside migrations: not part of the migrated schema.",
                      "[ignore]", "objects = [" + ignored.map { Self.quoted($0.pattern) }.joined(separator: ", ") + "]"]
        }
        var stubs: [MigrationVersion] = []
        let steps = timeline.steps
        for (index, step) in steps.enumerated() where step.isSchemaSilent {
            guard let migration = step.migration else { continue }
            stubs.append(migration.version)
            // The versions a database with this schema could be at: the silent run and the version before it.
            var first = index
            while first > 0, steps[first].isSchemaSilent, steps[first - 1].fingerprint == step.fingerprint { first -= 1 }
            var last = index
            while last + 1 < steps.count, steps[last + 1].isSchemaSilent { last += 1 }
            let alike = steps[first...last].map { "\($0.version)" }
            let versions = alike.count == 2 ? "\(alike[0]) and \(alike[1])" : alike.dropLast().joined(separator: ", ") + " and " + alike.last!
            lines += ["",
                      "# \(migration.fileName) is schema-silent: databases at \(versions) have the same schema.",
                      "# It runs:",
                      "#"]
            lines += Self.quote(migration.sql).map { "#     " + $0 }
            lines += ["#",
                      "# A probe is a read-only query that is true exactly when that ran. Write it, then uncomment:",
                      "# [[probe]]",
                      "# version = \(migration.version)",
                      "# description = \(Self.quoted(migration.description))",
                      "# sql = \"SELECT NOT EXISTS (SELECT 1 FROM ... WHERE ...)\""]
        }
        if stubs.isEmpty {
            lines += ["", "# No migration is schema-silent: the schema alone tells every version apart, so no probe is needed."]
        }
        self.stubVersions = stubs
        self.text = lines.joined(separator: "\n") + "\n"
    }

    /// The migration's statements without comment-only and blank lines, at most ``quotedLines`` of them.
    static func quote(_ sql: String) -> [String] {
        let statements = sql.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { String($0).replacingOccurrences(of: "\t", with: "    ") }
            .filter { line in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return !trimmed.isEmpty && !trimmed.hasPrefix("--")
            }
        guard statements.count > quotedLines else { return statements }
        return Array(statements.prefix(quotedLines)) + ["… (\(statements.count - quotedLines) more lines)"]
    }

    /// A TOML basic string.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
