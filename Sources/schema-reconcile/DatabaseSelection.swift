import ArgumentParser
import Foundation
import SchemaReconciler

/// Which databases a command works on: paths given on the command line, or every database the
/// manifest's `[[database]]` entries find in an app data folder (`--app-dir`).
struct DatabaseSelection: ParsableArguments {
    @Argument(help: ArgumentHelp("Database files.", valueName: "db"))
    var databases: [String] = []

    @Option(name: .customLong("app-dir"),
            help: ArgumentHelp("An app data folder: every database the manifest's [[database]] entries match, each with its own migrations.",
                               valueName: "dir"))
    var appDir: String?

    @Flag(name: .customLong("recursive"),
          help: "A folder argument stands for every *.sqlite, *.sqlite3 and *.db file under it (this tool's backups excluded).")
    var recursive = false

    @Option(name: .customLong("jobs"),
            help: ArgumentHelp("Databases worked on at once (default: the number of cores).", valueName: "n"),
            transform: NumericOption.jobs)
    var jobs: Int?

    func validate() throws {
        if databases.isEmpty && appDir == nil { throw ValidationError("give at least one database file, or --app-dir DIR") }
        if !databases.isEmpty && appDir != nil { throw ValidationError("give database files or --app-dir, not both") }
    }

    /// How many databases to work on at once.
    var concurrency: Int { jobs ?? Self.defaultConcurrency }

    /// Without `--jobs`: the number of cores.
    static var defaultConcurrency: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The database paths the arguments stand for, in argument order: a file as given, a quoted glob
    /// (`'fixtures/*.sqlite'`) as its matches, a folder (with `--recursive`) as every database under it.
    func expandedDatabases() -> [String] {
        DatabasePaths.expand(databases, recursive: recursive)
    }

    /// Databases with the reconciler for their migration set.
    struct Group {
        var reconciler: Reconciler
        var paths: [String]
        var heading: String?
    }

    func groups(_ migrations: MigrationOptions, progressFor format: OutputFormat? = nil) throws -> [Group] {
        guard let appDir else {
            let paths = expandedDatabases()
            return [Group(reconciler: try migrations.makeReconciler(databases: paths, progressFor: format), paths: paths)]
        }
        let settings = try migrations.settings()
        let manifestURL = settings.migrationsFolder.appendingPathComponent(Manifest.fileName)
        let expanded = try CommandFailure.reporting { () throws -> [AppDataFolder.Group] in
            guard let manifest = try Manifest.load(from: manifestURL) else {
                throw CommandFailure(message: "\(manifestURL.path): no manifest, so --app-dir has no [[database]] entries to follow")
            }
            return try AppDataFolder(url: URL(fileURLWithPath: appDir)).databases(declaredBy: manifest)
        }
        var groups: [Group] = []
        for group in expanded {
            if group.paths.isEmpty {
                Terminal.printError("schema-reconcile: note: no file in \(appDir) matches \(group.pattern)")
                continue
            }
            let reconciler = try migrations.makeReconciler(folder: group.migrationsFolder, databases: group.paths, progressFor: format)
            groups.append(Group(reconciler: reconciler, paths: group.paths,
                                heading: "\(group.pattern) with \(group.migrationsFolder.path)"))
        }
        guard !groups.isEmpty else { throw CommandFailure(message: "no database found in \(appDir)") }
        return groups
    }
}

/// Renders per-group reports as one output: one document when there is one group, else a `groups` list.
enum GroupedOutput {
    /// Only the requested format is rendered: encoding a thousand diagnoses as JSON nobody asked for
    /// would cost more than checking them.
    static func emit(texts: @autoclosure () -> [(String?, String)], jsons: @autoclosure () -> [String],
                     markdowns: @autoclosure () -> [String], format: OutputFormat,
                     exitCode: SchemaReconciler.ExitCode) throws {
        switch format {
        case .text:
            Terminal.print(texts().map { heading, text in heading.map { "== \(ControlCharacters.escape($0))\n\(text)" } ?? text }
                .joined(separator: "\n\n"))
        case .json:
            let jsons = jsons()
            if jsons.count == 1 {
                Terminal.print(jsons[0])
            } else {
                let indented = jsons.map { $0.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { "    " + $0 }.joined(separator: "\n") }
                Terminal.print("{\n  \"exitCode\" : \(exitCode.rawValue),\n  \"formatVersion\" : 1,\n  \"groups\" : [\n"
                               + indented.joined(separator: ",\n") + "\n  ]\n}")
            }
        case .markdown:
            Terminal.print(markdowns().joined(separator: "\n\n"))
        case .junit, .github, .html:
            // Commands reject these in validate(); reaching here is a usage error, said plainly.
            throw CommandFailure.exit("--format \(format.rawValue) is not available for this command")
        }
        if exitCode != .ok { throw ReportedExit(exitCode: exitCode) }
    }
}
