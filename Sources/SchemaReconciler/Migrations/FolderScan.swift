import Foundation

/// Looks through the files of a migrations folder for a tool's marks (goose's `-- +goose Up`,
/// dbmate's `-- migrate:up`), to tell which tool wrote the folder.
///
/// Detection runs on every folder whose tool is not named, so for a folder of thousands of sqlx
/// files it reads every one of them to find nothing. A file is read as bytes, and only one that holds
/// the mark's bytes somewhere is looked at further: the rest cost a read and a byte search.
///
/// ```swift
/// let isGoose = FolderScan.someFile(in: folder, named: { $0.hasSuffix(".sql") }, holding: "+goose") { bytes in
///     true // look at the file's bytes more closely
/// }
/// ```
enum FolderScan {
    /// Whether some file in `folder` (not below it) that `named` accepts holds `mark`'s UTF-8 bytes and
    /// passes `test`; false for a folder that cannot be listed. Unreadable files are skipped: loading the
    /// migrations names them.
    static func someFile(in folder: URL, named: (String) -> Bool, holding mark: String,
                         where test: ([UInt8]) -> Bool) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return false }
        let needle = Array(mark.utf8)
        for name in names.sorted() where named(name) {
            guard let data = FileManager.default.contents(atPath: folder.path + "/" + name) else { continue }
            let bytes = [UInt8](data)
            if contains(bytes, needle), test(bytes) { return true }
        }
        return false
    }

    /// Whether `needle` occurs in `haystack` (`memchr` to each candidate first byte, then `memcmp`;
    /// Swift's Glibc module leaves out `memmem`).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        guard haystack.count >= needle.count else { return false }
        return haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                guard let base = hay.baseAddress, let pinBase = pin.baseAddress else { return false }
                let last = hay.count - pin.count
                var start = 0
                while start <= last {
                    guard let hit = memchr(base + start, Int32(first), last - start + 1) else { return false }
                    if memcmp(hit, pinBase, pin.count) == 0 { return true }
                    start = base.distance(to: UnsafeRawPointer(hit)) + 1
                }
                return false
            }
        }
    }
}
