import Foundation

/// Escaping and tables for GitHub-flavoured Markdown (CI step summaries).
enum Markdown {
    /// Text made safe for a GitHub-flavoured Markdown table cell or list item.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "|": out += "\\|"
            case "*": out += "\\*"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\n", "\r\n", "\r": out += " "
            default: out.append(character)
            }
        }
        return out
    }

    /// `text` as an inline code span, safe inside a table cell.
    static func code(_ text: String) -> String {
        let fence = text.contains("`") ? "``" : "`"
        let padded = text.hasPrefix("`") || text.hasSuffix("`") ? " \(text) " : text
        return fence + padded.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") + fence
    }

    /// A table with a header row; `alignments` holds `---`, `---:` or `:---:` per column.
    static func table(header: [String], alignments: [String], rows: [[String]]) -> [String] {
        var lines = ["| " + header.joined(separator: " | ") + " |",
                     "| " + alignments.joined(separator: " | ") + " |"]
        for row in rows {
            lines.append("| " + row.map { $0.isEmpty ? " " : $0 }.joined(separator: " | ") + " |")
        }
        return lines
    }
}
