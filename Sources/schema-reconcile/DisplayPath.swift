import Foundation

/// Paths as a person typed them: relative to the working directory when inside it.
enum DisplayPath {
    /// `url`'s path relative to the working directory when it is inside it, else the full path.
    static func relative(_ url: URL) -> String {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
        let path = url.standardizedFileURL.path
        if path == cwd { return "." }
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
    }
}
