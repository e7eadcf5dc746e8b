import ArgumentParser

/// How a report is written: text for people, JSON for programs, Markdown for CI summaries, JUnit XML
/// and GitHub workflow commands for CI servers, a self-contained HTML page for reading.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case text
    case json
    case markdown
    case junit
    case github
    case html

    /// Whether the output is read by a program, so nothing else may be written around it (no progress).
    var isMachineReadable: Bool { self == .json || self == .junit || self == .github }
}

/// A subcommand that reports in the format `--format` asks for, failures included.
protocol FormattedCommand: ParsableCommand {
    var output: OutputOptions { get }
}

extension OutputFormat {
    /// The format the raw arguments ask for, for failures found before they could be parsed.
    static func requested(in arguments: [String]) -> OutputFormat {
        var requested = OutputFormat.text
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { break }
            if argument.hasPrefix("--format="), let format = OutputFormat(rawValue: String(argument.dropFirst("--format=".count))) {
                requested = format
            } else if argument == "--format", index + 1 < arguments.count,
                      let format = OutputFormat(rawValue: arguments[index + 1]) {
                requested = format
            }
        }
        return requested
    }
}

/// The `--format` option every reporting subcommand shares.
struct OutputOptions: ParsableArguments {
    @Option(name: .customLong("format"),
            help: "Output format: text (colour on a terminal), json, markdown; check and diagnose also junit and github; fingerprint and diagnose also html.")
    var format: OutputFormat = .text

    /// Rejects a format the command does not write, naming those it does.
    func require(_ allowed: [OutputFormat], command: String) throws {
        guard allowed.contains(format) else {
            throw ValidationError("\(command) does not write --format \(format.rawValue); use "
                                  + allowed.map(\.rawValue).joined(separator: ", "))
        }
    }
}
