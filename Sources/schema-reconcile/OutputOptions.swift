import ArgumentParser

/// How a report is written: text for people, JSON for programs, Markdown for CI summaries.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case text
    case json
    case markdown
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
    @Option(name: .customLong("format"), help: "Output format: text (colour on a terminal), json or markdown.")
    var format: OutputFormat = .text
}
