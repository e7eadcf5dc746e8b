import Foundation

/// How an older text of a migration differs from the bundled one, token by token.
///
/// Comments, whitespace, keyword case and identifier quoting never reach SQLite's parser as
/// meaning, so an edit that changes only those is cosmetic; anything else (a changed literal, a new
/// statement, `upper` → `lower`) is semantic.
///
/// ```swift
/// let edit = EditComparison(applied: "UPDATE t SET w = upper(v);", bundled: "-- fix\nupdate t set w = lower(v);")
/// print(edit.isCosmetic, edit.summary) // false "upper → lower"
/// ```
struct EditComparison: Sendable, Hashable, Codable {
    /// Whether the two texts have the same token stream once comments, spacing and case are ignored.
    public var isCosmetic: Bool
    /// What changed, as the differing tokens of each text (empty when cosmetic).
    public var summary: String

    /// Compares the text that was applied with the bundled text.
    public init(applied: String, bundled: String) {
        let old = SQLTokenizer.tokens(in: applied), new = SQLTokenizer.tokens(in: bundled)
        let oldCanonical = old.map(\.canonical), newCanonical = new.map(\.canonical)
        guard oldCanonical != newCanonical else {
            isCosmetic = true
            summary = ""
            return
        }
        isCosmetic = false
        var prefix = 0
        while prefix < min(old.count, new.count), oldCanonical[prefix] == newCanonical[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < min(old.count, new.count) - prefix,
              oldCanonical[old.count - 1 - suffix] == newCanonical[new.count - 1 - suffix] { suffix += 1 }
        func shown(_ tokens: [SQLToken]) -> String {
            let middle = tokens[prefix..<(tokens.count - suffix)]
            guard !middle.isEmpty else { return "(nothing)" }
            let text = SQLTokenizer.render(middle)
            return text.count > 60 ? String(text.prefix(57)) + "…" : text
        }
        summary = "\(shown(old)) → \(shown(new))"
    }

    /// One phrase for reports.
    public var description: String { isCosmetic ? "a cosmetic edit (comments, spacing or case only)" : "a semantic edit: \(summary)" }
}
