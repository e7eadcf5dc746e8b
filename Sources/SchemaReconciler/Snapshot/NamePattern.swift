import Foundation

/// A glob over object names (`*` any run, `?` one byte), matched ignoring ASCII case.
///
/// ```swift
/// let pattern = NamePattern("cache_*")
/// pattern.matches("Cache_Thumbnails") // true
/// ```
public struct NamePattern: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    private let folded: [UInt8]

    /// Creates a pattern.
    public init(_ pattern: String) {
        self.pattern = pattern
        self.folded = Array(SchemaObject.canonicalName(pattern).utf8)
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(pattern)
    }

    public var description: String { pattern }

    /// Whether `name` matches, ignoring ASCII case.
    public func matches(_ name: String) -> Bool {
        matches(canonical: SchemaObject.canonicalName(name))
    }

    /// ``matches(_:)`` for a name already folded by ``SchemaObject/canonicalName(_:)``.
    func matches(canonical name: String) -> Bool {
        let text = Array(name.utf8)
        // Iterative glob with single backtrack point: linear in practice, no recursion on hostile input.
        var p = 0, t = 0, star = -1, mark = 0
        while t < text.count {
            if p < folded.count, folded[p] == UInt8(ascii: "?") || folded[p] == text[t] {
                p += 1; t += 1
            } else if p < folded.count, folded[p] == UInt8(ascii: "*") {
                star = p; mark = t; p += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; t = mark
            } else {
                return false
            }
        }
        while p < folded.count, folded[p] == UInt8(ascii: "*") { p += 1 }
        return p == folded.count
    }
}
