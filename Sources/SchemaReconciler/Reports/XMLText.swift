import Foundation

/// Escaping for XML 1.0 and the XML-compatible HTML the reports write (JUnit, history pages).
///
/// Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF and CR, U+FFFE, U+FFFF)
/// are written as visible `\u{1B}` text, so a hostile table name cannot make a document malformed.
///
/// ```swift
/// let cell = "<td>" + XMLText.escape(object.name) + "</td>"
/// let attribute = "title=\"" + XMLText.attribute(finding.message) + "\""
/// ```
enum XMLText {
    /// Text made safe as element content.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default: append(scalar, to: &out)
            }
        }
        return out
    }

    /// Text made safe inside a double-quoted attribute; tab, LF and CR become character references,
    /// which parsers keep (a literal newline in an attribute is normalised to a space).
    static func attribute(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default: append(scalar, to: &out)
            }
        }
        return out
    }

    private static func append(_ scalar: Unicode.Scalar, to out: inout String) {
        let value = scalar.value
        if value < 0x20 || value == 0xFFFE || value == 0xFFFF {
            out += "\\u{" + String(value, radix: 16, uppercase: true) + "}"
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
}
