import Foundation

extension Diagnosis {
    /// One paragraph for people: what the database is, what the ledger says, and what happens next.
    ///
    /// Made for an app's alert or log line; its wording may change, so decide on ``verdict``,
    /// ``exitCode`` and ``failure``, never on this text.
    ///
    /// ```swift
    /// case .needsAttention(let diagnosis):
    ///     showAlert(title: "The library needs attention", message: diagnosis.summary)
    /// ```
    public var summary: String {
        var sentences: [String] = []
        switch verdict {
        case .unreadable:
            let reason = failure?.description ?? findings.first?.message ?? "the file could not be read"
            return "\(path) could not be checked: \(reason). Nothing was changed."
        case .fresh:
            sentences.append("\(path) has no migrated schema yet: the migrator will create it from the first migration.")
        case .consistent:
            let at = matchedVersions.map { " at \(name(of: $0.highest))" } ?? ""
            sentences.append("\(path) is healthy: its schema is\(at) and the ledger agrees.")
        default:
            let state = matchedVersions.map { "its schema is at \(name(of: $0.highest))" }
                ?? nearestVersion.map { "its schema matches no migration (nearest \(name(of: $0)))" }
                ?? "its schema matches no migration"
            sentences.append("\(path): \(state), but \(Self.problem(of: verdict)).")
            if let top = findings.first(where: { $0.exitCode > .ok }) {
                // Finding messages speak in version numbers; identifiers read better where versions have names.
                if versionNames.isEmpty || top.versions.isEmpty {
                    sentences.append(Self.sentence(top.message))
                } else if top.kind == .ahead {
                    sentences.append("The ledger records \(names(top.versions)), whose effects the schema lacks.")
                } else if top.kind != .unknownVersions && top.kind != .behind && top.kind != .noLedger {
                    sentences.append("Concerned: \(names(top.versions)).")
                }
            }
        }
        if verdict != .fresh, !history.pending.isEmpty, plan.blockers.isEmpty {
            let pending = history.pending
            sentences.append(pending.count == 1
                ? "Migration \(name(of: pending[0])) is pending; the migrator applies it at the next start."
                : "\(pending.count) migrations are pending (\(names(pending))); the migrator applies them at the next start.")
        }
        let writes = plan.actions.filter(\.writes)
        if !plan.blockers.isEmpty {
            sentences.append("Nothing was written: a person must decide (\(plan.blockers.map(\.reason).joined(separator: "; "))).")
            let options = plan.blockers.compactMap { $0.flag.flatMap(Self.launchOption) }
            if !options.isEmpty {
                sentences.append("The launch option \(Set(options).sorted().joined(separator: " or ")) settles it once a person has checked.")
            }
        } else if !writes.isEmpty {
            let inserted = writes.filter { $0.kind == .insert }.compactMap(\.version)
            let detail = inserted.isEmpty ? "" : ", recording \(names(inserted)) as applied"
            sentences.append("A repair writes \(writes.count) ledger change(s)\(detail), after a verified backup; no user table is touched.")
        }
        let unknown = ledger.unknownVersions
        if !unknown.isEmpty {
            let deleted = plan.actions.contains { $0.kind == .delete && $0.version.map(unknown.contains) ?? false }
            let kept = deleted ? (unknown.count == 1 ? "a repair deletes it" : "a repair deletes them")
                : (unknown.count == 1 ? "it is kept" : "they are kept")
            sentences.append("The ledger records \(names(unknown)), which this build does not have (a newer version of the app?); \(kept).")
        }
        if findings.contains(where: { $0.kind == .foreignObjects }) {
            sentences.append("Objects no migration creates are left untouched.")
        }
        return sentences.joined(separator: " ")
    }

    /// A version as people know it: `"v3-add-notes"` for a GRDB identifier, `23` for a file.
    func name(of version: MigrationVersion) -> String {
        versionNames[version].map { "\"\($0)\"" } ?? "version \(version)"
    }

    private func names(_ versions: [MigrationVersion]) -> String {
        let shown = versions.prefix(6).map(name(of:)).joined(separator: ", ")
        return versions.count > 6 ? "\(shown) and \(versions.count - 6) more" : shown
    }

    private static func problem(of verdict: Verdict) -> String {
        switch verdict {
        case .behind: return "the ledger lacks migrations the schema proves applied"
        case .noLedger: return "there is no migration ledger"
        case .checksumDrift: return "recorded checksums differ from the bundled migrations"
        case .movedRows: return "ledger rows record other migrations than their versions say"
        case .dirty: return "a migration was interrupted"
        case .ahead: return "the ledger records migrations whose effects the schema lacks"
        case .unknownVersions: return "the ledger records migrations this build does not have"
        case .malformedLedger: return "the ledger table cannot be read as a ledger"
        case .invariantViolated: return "a declared data invariant is violated"
        case .unrecognised, .unreadable, .consistent, .fresh: return "the migrations cannot explain it"
        }
    }

    /// The `prepareForLaunch` parameter for a command-line flag a blocker names.
    static func launchOption(_ flag: String) -> String? {
        switch flag.split(separator: " ").first.map(String.init) {
        case "--assume-version": return "assumeVersion"
        case "--drop-unproven": return "dropUnproven"
        case "--drop-unknown": return "dropUnknown"
        case "--accept-edit": return "acceptEdits"
        case "--reference": return "reference"
        default: return nil
        }
    }

    private static func sentence(_ message: String) -> String {
        guard let first = message.first else { return message }
        let capitalised = first.uppercased() + message.dropFirst()
        return capitalised.hasSuffix(".") ? capitalised : capitalised + "."
    }
}
