import Foundation

/// ANSI styling for text reports, a no-op unless colour was asked for.
///
/// Reports pad columns before styling, so escape codes never disturb alignment.
struct TextStyle: Sendable {
    /// A terminal attribute.
    enum Attribute: String, Sendable {
        case bold = "1"
        case dim = "2"
        case red = "31"
        case green = "32"
        case yellow = "33"
        case cyan = "36"
    }

    /// Whether escape codes are written at all.
    let enabled: Bool

    /// `text` wrapped in the escape codes for `attributes` (unchanged when disabled or empty).
    func callAsFunction(_ text: String, _ attributes: Attribute...) -> String {
        guard enabled, !attributes.isEmpty, !text.isEmpty else { return text }
        return "\u{1B}[\(attributes.map(\.rawValue).joined(separator: ";"))m\(text)\u{1B}[0m"
    }

    /// The colour that says how bad an exit code is: green for fine, yellow for repairable, red beyond.
    func severity(_ text: String, _ code: ExitCode) -> String {
        switch code {
        case .ok: return self(text, .green)
        case .repairable: return self(text, .yellow)
        case .needsPerson: return self(text, .red)
        case .unreadable, .usage: return self(text, .red, .bold)
        }
    }
}
