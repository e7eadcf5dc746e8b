import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates a new file that did not exist before (`O_CREAT|O_EXCL|O_NOFOLLOW`): never over an
/// existing file, never through a symlink (DESIGN §6).
///
/// ```swift
/// try ExclusiveFile.create(at: folder.appendingPathComponent("reconcile.toml"), contents: Data(text.utf8))
/// ```
public enum ExclusiveFile {
    /// Why a new file could not be created.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Something (a file, a folder or a symlink) already has this name.
        case exists(path: String)
        /// The system refused to create or write it.
        case failed(path: String, code: Int32, message: String)

        public var description: String {
            switch self {
            case .exists(let path): return "\(path) already exists"
            case .failed(let path, _, let message): return "\(path): \(message)"
            }
        }
    }

    /// Creates `url` with `contents` and flushes it to disk; a partial file is removed on failure.
    ///
    /// ```swift
    /// do {
    ///     try ExclusiveFile.create(at: url, contents: data)
    /// } catch .exists(let path) {
    ///     print("\(path) is already there; nothing was written")
    /// }
    /// ```
    public static func create(at url: URL, contents: Data, permissions: mode_t = 0o644) throws(Failure) {
        let path = url.path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, permissions)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST || code == ELOOP { throw .exists(path: path) }
            throw .failed(path: path, code: code, message: String(cString: strerror(code)))
        }
        var failure: Failure?
        contents.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = .failed(path: path, code: errno, message: String(cString: strerror(errno)))
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 {
            failure = .failed(path: path, code: errno, message: String(cString: strerror(errno)))
        }
        close(descriptor)
        if let failure {
            unlink(path)
            throw failure
        }
    }
}
