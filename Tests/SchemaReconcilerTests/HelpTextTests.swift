import Foundation
import Testing

@Suite("Help text and README stay in step")
struct HelpTextTests {
    /// Subcommand names from `schema-reconcile --help` (the SUBCOMMANDS section, two-space indented names).
    static func subcommands() throws -> [String] {
        let help = try CLI.run(["--help"]).stdout
        let section = try #require(help.components(separatedBy: "SUBCOMMANDS:\n").last)
        return section.components(separatedBy: "\n").prefix { !$0.isEmpty }.compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }
    }

    /// The README's command block: each `schema-reconcile NAME ...` line with its continuation lines.
    static func readmeCommands() throws -> [String: String] {
        let readme = try String(contentsOf: Repo.root.appendingPathComponent("README.md"), encoding: .utf8)
        let afterHeading = try #require(readme.components(separatedBy: "## Commands\n").dropFirst().first)
        let block = try #require(afterHeading.components(separatedBy: "```").dropFirst().first)
        var commands: [String: String] = [:]
        var current: String?
        for line in block.components(separatedBy: "\n") {
            if line.hasPrefix("schema-reconcile ") {
                let name = String(line.split(separator: " ")[1])
                // `schema-reconcile --version` and the like are options of the root, not subcommands.
                guard !name.hasPrefix("-") else { current = nil; continue }
                commands[name] = line
                current = name
            } else if let name = current, line.hasPrefix(" ") {
                commands[name]! += " " + line.trimmingCharacters(in: .whitespaces)
            }
        }
        return commands
    }

    static func flags(in text: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: "--[a-z][a-z-]*")
        let range = NSRange(text.startIndex..., in: text)
        return Set(pattern.matches(in: text, range: range).compactMap { Range($0.range, in: text).map { String(text[$0]) } })
    }

    @Test("README's command list names exactly the subcommands --help lists")
    func commandListMatches() throws {
        let listed = try Self.subcommands()
        #expect(listed.contains("init") && listed.contains("check"))
        #expect(Set(try Self.readmeCommands().keys) == Set(listed))
        // And the bullets that describe each command.
        let readme = try String(contentsOf: Repo.root.appendingPathComponent("README.md"), encoding: .utf8)
        for name in listed { #expect(readme.contains("- `\(name)`: "), "README describes \(name)") }
    }

    @Test("every flag README shows for a command is one its --help documents")
    func readmeFlagsExist() throws {
        for (name, line) in try Self.readmeCommands() {
            let help = try CLI.run([name, "--help"]).stdout
            let documented = Self.flags(in: help.components(separatedBy: "OPTIONS:").last ?? "")
            for flag in Self.flags(in: line) {
                #expect(documented.contains(flag), "README shows \(flag) for \(name), which --help does not document")
            }
        }
    }

    @Test("every subcommand's --help has an Examples section whose commands use only its own flags")
    func examplesInHelp() throws {
        for name in try Self.subcommands() {
            let help = try CLI.run([name, "--help"]).stdout
            let examples = help.components(separatedBy: "Examples:\n").dropFirst().first?
                .components(separatedBy: "\n").prefix { $0.hasPrefix("  ") } ?? []
            #expect(!examples.isEmpty, "\(name) --help has examples")
            let documented = Self.flags(in: help.components(separatedBy: "OPTIONS:").last ?? "")
            for example in examples {
                #expect(example.hasPrefix("  schema-reconcile \(name)"), "an example of \(name): \(example)")
                for flag in Self.flags(in: example) {
                    #expect(documented.contains(flag), "\(name) example uses \(flag), which --help does not document")
                }
            }
        }
    }
}
