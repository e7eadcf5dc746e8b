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
}
