import Foundation

/// The one JSON encoder configuration every report uses, so documents are stable byte for byte.
enum ReportJSON {
    /// Encodes a report document with sorted keys, indentation and unescaped slashes.
    static func encode(_ document: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(document), as: UTF8.self)
        } catch {
            // Report documents hold only strings, integers, booleans and nulls, which always encode.
            preconditionFailure("report document failed to encode: \(error)")
        }
    }

    /// Writes what ``encode(_:)`` gives for `document` with `elements` as the array under the top-level
    /// key `key`, in pieces: `document` (whose `key` holds an empty array) in one, then each element as
    /// it is encoded. A document of thousands of entries then never exists whole, neither as the
    /// encoder's tree nor as one string.
    ///
    /// The pieces are laid out as the encoder lays out a pretty-printed array (two spaces per level,
    /// `[`, the elements at the next level joined by `,` and a newline, `]` back at the key's level).
    /// A raw newline in the output is always layout, never text (strings escape theirs), which is what
    /// makes indenting and finding the key's line safe.
    static func write<Elements: Collection>(_ document: some Encodable, key: String, elements: Elements,
                                            to write: (String) -> Void) where Elements.Element: Encodable {
        let whole = encode(document)
        guard !elements.isEmpty else { return write(whole) }
        let empty = "\n  \(encode(key)) : " + indented(encode([Elements.Element]()), by: "  ")
        guard let range = whole.range(of: empty) else {
            preconditionFailure("report document has no top-level \(key)")
        }
        write(String(whole[..<range.lowerBound]) + "\n  \(encode(key)) : [\n")
        let count = elements.count
        for (index, element) in elements.enumerated() {
            write("    " + indented(encode(element), by: "    ") + (index + 1 < count ? ",\n" : "\n"))
        }
        write("  ]" + whole[range.upperBound...])
    }

    /// `json` with `prefix` before each line but the first, as the encoder indents a nested value (an
    /// empty array's blank line stays blank).
    private static func indented(_ json: String, by prefix: String) -> String {
        json.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { index, line in index == 0 || line.isEmpty ? String(line) : prefix + line }
            .joined(separator: "\n")
    }
}
