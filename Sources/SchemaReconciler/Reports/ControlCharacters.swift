import Foundation

/// Makes text from files and databases safe to print on a terminal or in Markdown.
///
/// Names come from files a stranger may have made: an ESC would run an ANSI sequence on the reader's
/// terminal, a newline would forge a report line, and bidirectional overrides would reorder what is
/// shown. Each such character is shown as an escape instead (`\n`, `\r`, `\t`, `\u{1B}`); JSON output
/// needs none of this, since its encoder escapes control characters itself.
///
/// ```swift
/// ControlCharacters.escape("fake\n\u{1B}[2J") // "fake\\n\\u{1B}[2J"
/// ```
public enum ControlCharacters {
    /// `text` with every control character (C0, DEL, C1) and bidirectional control written as an escape.
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    /// Whether `scalar` is one `escape` rewrites.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
