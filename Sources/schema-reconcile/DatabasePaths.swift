import Foundation

/// Turns one database argument into paths: a file, a quoted glob, or a folder searched with `--recursive`.
enum DatabasePaths {
    /// File name endings taken for databases when a folder is searched.
    static let databaseSuffixes = [".sqlite", ".sqlite3", ".db"]

    /// Every argument's paths, in argument order.
    static func expand(_ arguments: [String], recursive: Bool) -> [String] {
        arguments.flatMap { expand($0, recursive: recursive) }
    }

    static func expand(_ argument: String, recursive: Bool) -> [String] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
            // Without --recursive a folder stays one argument, reported as "is a directory" (exit 3).
            return isDirectory.boolValue && recursive ? databases(under: argument) : [argument]
        }
        // A pattern that matches nothing stays as written, as a shell leaves it: reported as missing.
        guard argument.contains(where: { "*?[".contains($0) }) else { return [argument] }
        let matches = glob(argument)
        return matches.isEmpty ? [argument] : matches.flatMap { expand($0, recursive: recursive) }
    }

    /// Every database file under `folder`, sorted, without SQLite's side files or this tool's backups.
    static func databases(under folder: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard databaseSuffixes.contains(where: name.hasSuffix), !name.contains(".backup-") else { continue }
            let path = (folder as NSString).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                found.append(path)
            }
        }
        return found.sorted()
    }

    /// The shell's glob(3) matches of `pattern`, sorted.
    static func glob(_ pattern: String) -> [String] {
        var matches = glob_t()
        defer { globfree(&matches) }
        guard Glibc.glob(pattern, 0, nil, &matches) == 0 else { return [] }
        return (0..<Int(matches.gl_pathc)).compactMap { matches.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }
}
