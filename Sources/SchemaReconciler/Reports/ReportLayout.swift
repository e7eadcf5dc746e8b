import Foundation

/// Column and list formatting shared by the text and Markdown renderers.
enum ReportLayout {
    /// `text` padded with spaces to `width` characters (left-aligned).
    static func pad(_ text: String, _ width: Int) -> String {
        let count = text.count
        return count >= width ? text : text + String(repeating: " ", count: width - count)
    }

    /// `text` padded with spaces on the left to `width` characters (right-aligned).
    static func padLeft(_ text: String, _ width: Int) -> String {
        let count = text.count
        return count >= width ? text : String(repeating: " ", count: width - count) + text
    }

    /// Versions as compact ranges: `1–20, 22, 24–25`.
    static func ranges(_ versions: [MigrationVersion]) -> String {
        let sorted = Array(Set(versions)).sorted()
        guard var start = sorted.first else { return "none" }
        var parts: [String] = []
        var end = start
        func flush() {
            parts.append(start == end ? "\(start)" : end.follows(start) ? "\(start), \(end)" : "\(start)–\(end)")
        }
        for version in sorted.dropFirst() {
            if version.follows(end) {
                end = version
            } else {
                flush()
                start = version
                end = version
            }
        }
        flush()
        return parts.joined(separator: ", ")
    }

    /// A finding's message without a leading `path: ` (the report already names the database).
    static func withoutPathPrefix(_ message: String, path: String) -> String {
        let prefix = path + ": "
        return message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message
    }

    /// Unicode scalars as `U+000D` spellings, in scalar order.
    static func scalarNames(_ scalars: Set<Unicode.Scalar>) -> [String] {
        scalars.sorted { $0.value < $1.value }.map { scalar in
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
    }
}
