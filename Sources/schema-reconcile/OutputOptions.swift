import ArgumentParser

/// How a report is written: text for people, JSON for programs, Markdown for CI summaries.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case text
    case json
    case markdown
}

/// The `--format` option every reporting subcommand shares.
struct OutputOptions: ParsableArguments {
    @Option(name: .customLong("format"), help: "Output format: text (colour on a terminal), json or markdown.")
    var format: OutputFormat = .text
}
