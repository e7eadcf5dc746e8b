import Foundation
import SchemaReconciler
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's standard streams, and whether colour belongs on standard output.
enum Terminal {
    /// Colour only on a terminal, never when `NO_COLOR` is set (no-color.org) or the terminal is dumb.
    static var useColor: Bool {
        let environment = ProcessInfo.processInfo.environment
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(STDOUT_FILENO) != 0
    }

    /// Writes `text` and a newline to standard output.
    static func print(_ text: String) {
        Swift.print(text)
    }

    /// Writes text to standard output as it is, without a newline.
    static func write(_ text: String) {
        Swift.print(text, terminator: "")
    }

    /// Writes one line to standard error; control characters in it (a newline or ESC from a file
    /// name) are escaped, so it stays one line and cannot drive the terminal.
    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((ControlCharacters.escape(line) + "\n").utf8))
    }

    /// Writes text the tool itself composed (usage lines), unescaped, to standard error.
    static func printErrorText(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
