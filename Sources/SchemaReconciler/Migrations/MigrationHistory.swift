import Foundation

/// Older texts of migration files, read from the git history of their folder.
///
/// A recorded checksum that matches no bundled text may belong to an earlier version of the same
/// file: an edit in place after release. When the migrations folder is in a git repository, the
/// file's history (`git log --follow`) is walked newest first, each version hashed as the migrator
/// hashes it, stopping at the first text whose checksum the ledger recorded. Without git or a
/// repository, nothing is found and nothing fails.
///
/// ```swift
/// let found = MigrationHistory.texts(of: migration, matching: [row.checksum!], ignoring: set.ignoredCharacters)
/// if let text = found.first { print("applied text is from commit \(text.commit)") }
/// ```
enum MigrationHistory {
    /// Most commits of one file that are read.
    static let commitLimit = 500

    /// Texts of `migration`'s file in git history whose checksum is one of `checksums`, newest first.
    public static func texts(of migration: Migration, matching checksums: Set<Digest>,
                             ignoring: Set<Unicode.Scalar> = []) -> [RecoveredText] {
        guard !checksums.isEmpty else { return [] }
        let folder = migration.url.deletingLastPathComponent().path
        guard let log = git(["log", "--follow", "--format=%H", "--name-only", "-n", String(commitLimit), "--",
                             migration.url.lastPathComponent], in: folder) else { return [] }
        var found: [RecoveredText] = []
        var remaining = checksums
        var commit: String?
        for line in String(decoding: log, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true) {
            let text = String(line)
            if text.count == 40, text.allSatisfy(\.isHexDigit) {
                commit = text
                continue
            }
            guard let current = commit else { continue }
            commit = nil
            guard let bytes = git(["show", "\(current):\(text)"], in: folder),
                  let sql = String(validating: bytes, as: UTF8.self) else { continue }
            let checksum = SQLxChecksum.checksum(of: sql, ignoring: ignoring)
            if remaining.remove(checksum) != nil {
                found.append(RecoveredText(version: migration.version, commit: current, text: sql, checksum: checksum))
                if remaining.isEmpty { break }
            }
        }
        return found
    }

    /// Runs git in `folder`; nil when git is missing, the folder is not in a repository, or git fails.
    private static func git(_ arguments: [String], in folder: String) -> Data? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", folder] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_OPTIONAL_LOCKS"] = "0"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? data : nil
    }
}
