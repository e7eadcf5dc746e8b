import Foundation

/// Escaping and tables for GitHub-flavoured Markdown (CI step summaries).
enum Markdown {
    /// Text made safe for a GitHub-flavoured Markdown table cell or list item: line breaks become
    /// spaces and other control characters escapes (see ``ControlCharacters``).
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "|": out += "\\|"
            case "*": out += "\\*"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\n", "\r\n", "\r": out += " "
            default:
                if character.unicodeScalars.contains(where: ControlCharacters.needsEscape) {
                    out += ControlCharacters.escape(String(character))
                } else {
                    out.append(character)
                }
            }
        }
        return out
    }

    /// `text` as an inline code span, safe inside a table cell.
    static func code(_ text: String) -> String {
        let fence = text.contains("`") ? "``" : "`"
        let padded = text.hasPrefix("`") || text.hasSuffix("`") ? " \(text) " : text
        let flat = padded.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\r", with: " ")
        return fence + ControlCharacters.escape(flat).replacingOccurrences(of: "|", with: "\\|") + fence
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
