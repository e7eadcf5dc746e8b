import Foundation

/// A recognised difference between the file a ledger checksum was made from and the bundled file.
///
/// When a checksum does not match, the usual cause is an edit that changes no SQL: line endings
/// converted by a Windows checkout, a byte-order mark added by an editor, a final newline added or
/// removed. This names the edit when one explains the recorded checksum.
///
/// ```swift
/// if let edit = ChecksumEdit.explain(recorded: row.checksum!, bundled: migration) {
///     print(edit.description) // "the applied file had CRLF line endings; the bundled file has LF"
/// }
/// ```
enum ChecksumEdit: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case appliedHadCRLF = "applied-had-crlf"
    case appliedHadLF = "applied-had-lf"
    case appliedHadBOM = "applied-had-bom"
    case appliedHadNoBOM = "applied-had-no-bom"
    case appliedHadExtraTrailingNewline = "applied-had-extra-trailing-newline"
    case appliedHadNoTrailingNewline = "applied-had-no-trailing-newline"
    case appliedHadCRLFAndBOM = "applied-had-crlf-and-bom"

    public var description: String {
        switch self {
        case .appliedHadCRLF: return "the applied file had CRLF line endings; the bundled file has LF"
        case .appliedHadLF: return "the applied file had LF line endings; the bundled file has CRLF"
        case .appliedHadBOM: return "the applied file started with a UTF-8 byte-order mark; the bundled file does not"
        case .appliedHadNoBOM: return "the bundled file gained a UTF-8 byte-order mark after the migration was applied"
        case .appliedHadExtraTrailingNewline: return "the applied file ended with one more newline than the bundled file"
        case .appliedHadNoTrailingNewline: return "the applied file had no final newline; the bundled file has one"
        case .appliedHadCRLFAndBOM: return "the applied file had CRLF line endings and a byte-order mark; the bundled file has neither"
        }
    }

    /// The text the applied file would have had under this edit, given the bundled text.
    func appliedText(from bundled: String) -> String? {
        let bom = "\u{FEFF}"
        switch self {
        case .appliedHadCRLF, .appliedHadCRLFAndBOM:
            let scalars = bundled.unicodeScalars
            guard scalars.contains("\n") else { return nil }
            var converted = String.UnicodeScalarView()
            var previous: Unicode.Scalar?
            for scalar in scalars {
                if scalar == "\n", previous != "\r" { converted.append("\r") }
                converted.append(scalar)
                previous = scalar
            }
            let text = String(converted)
            return self == .appliedHadCRLFAndBOM ? bom + text : text
        case .appliedHadLF:
            guard bundled.unicodeScalars.contains("\r") else { return nil }
            var converted = String.UnicodeScalarView()
            let scalars = Array(bundled.unicodeScalars)
            for (index, scalar) in scalars.enumerated() {
                if scalar == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" { continue }
                converted.append(scalar)
            }
            return String(converted)
        case .appliedHadBOM:
            return bundled.hasPrefix(bom) ? nil : bom + bundled
        case .appliedHadNoBOM:
            return bundled.unicodeScalars.first == "\u{FEFF}" ? String(bundled.unicodeScalars.dropFirst()) : nil
        case .appliedHadExtraTrailingNewline:
            return bundled + (bundled.hasSuffix("\r\n") ? "\r\n" : "\n")
        case .appliedHadNoTrailingNewline:
            var scalars = Array(bundled.unicodeScalars)
            guard scalars.last == "\n" else { return nil }
            scalars.removeLast()
            if scalars.last == "\r" { scalars.removeLast() }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            return String(view)
        }
    }

    /// The edit that explains `recorded`, if one does.
    public static func explain(recorded: Digest, bundled migration: Migration,
                               ignoring: Set<Unicode.Scalar> = []) -> ChecksumEdit? {
        allCases.first { edit in
            guard let text = edit.appliedText(from: migration.sql) else { return false }
            return SQLxChecksum.checksum(of: text, ignoring: ignoring) == recorded
        }
    }
}
