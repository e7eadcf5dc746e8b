import CSQLiteHardening
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file the tool creates: `O_CREAT | O_EXCL | O_NOFOLLOW`, so it never follows a link planted at
/// its name and never overwrites anything, with permission bits no wider than asked.
///
/// ```swift
/// let file = try ExclusiveFile.create(at: "state.sqlite.audit.json", mode: ExclusiveFile.modeBits(of: "state.sqlite"))
/// try file.write(Data("{}".utf8))
/// try file.synchronize()
/// file.close()
/// ```
final class ExclusiveFile {
    /// Why a file could not be created or written, naming the file.
    struct Failure: Error, CustomStringConvertible {
        let path: String
        /// The `errno` value behind it.
        let code: Int32
        let description: String

        init(path: String, code: Int32, doing action: String) {
            self.path = path
            self.code = code
            self.description = "\(path): \(action): \(Self.reason(code))"
        }

        /// Words for the errors a person can act on; the system's text for the rest.
        static func reason(_ code: Int32) -> String {
            switch code {
            case EEXIST: return "already exists (refusing to overwrite it)"
            case ELOOP: return "is a symbolic link (refusing to follow it)"
            case EISDIR: return "is a directory"
            case EFBIG: return "file size limit reached (ulimit -f)"
            case ENOSPC: return "disk full"
            case EDQUOT: return "disk quota exceeded"
            case EACCES, EPERM: return "permission denied"
            case ENOENT: return "folder does not exist"
            default: return String(cString: strerror(code))
            }
        }
    }

    let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close() }

    /// Creates `path`, which must not exist in any form (file, link, dangling link, directory).
    static func create(at path: String, mode: mode_t) throws -> ExclusiveFile {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw Failure(path: path, code: errno, doing: "cannot create") }
        return ExclusiveFile(path: path, descriptor: descriptor)
    }

    /// Writes all of `data`, retrying short writes.
    func write(_ data: Data) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            guard var pointer = buffer.baseAddress else { return }
            var remaining = buffer.count
            while remaining > 0 {
                let written = systemWrite(descriptor, pointer, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw Failure(path: path, code: errno, doing: "cannot write")
                }
                remaining -= written
                pointer += written
            }
        }
    }

    /// Flushes the file's content to the disk.
    func synchronize() throws {
        guard fsync(descriptor) == 0 else { throw Failure(path: path, code: errno, doing: "cannot flush to disk") }
    }

    /// Whether `path` still names this very file (nobody swapped it since it was created).
    func isStillAt(_ path: String) -> Bool {
        var opened = stat(), named = stat()
        guard fstat(descriptor, &opened) == 0, lstat(path, &named) == 0 else { return false }
        return opened.st_dev == named.st_dev && opened.st_ino == named.st_ino && (named.st_mode & S_IFMT) == S_IFREG
    }

    func close() {
        if descriptor >= 0 { _ = systemClose(descriptor) }
        descriptor = -1
    }

    // MARK: - Whole files

    /// Creates `path` holding `data`, flushed to disk; on failure nothing is left at `path`.
    static func write(_ data: Data, toNewFileAt path: String, mode: mode_t) throws {
        let file = try create(at: path, mode: mode)
        do {
            try file.write(data)
            try file.synchronize()
            file.close()
        } catch {
            file.close()
            unlink(path)
            throw error
        }
    }

    /// Replaces whatever `path` names (a file, or a link, which is replaced, never followed) with
    /// `data`: written to a new temporary file beside it, flushed, then renamed over it.
    static func replace(_ path: String, with data: Data, mode: mode_t) throws {
        let temporary = temporaryName(for: path)
        try write(data, toNewFileAt: temporary, mode: mode)
        guard rename(temporary, path) == 0 else {
            let failure = Failure(path: path, code: errno, doing: "cannot replace")
            unlink(temporary)
            throw failure
        }
        synchronizeFolder(of: path)
    }

    /// Renames `from` to `to` only when nothing exists at `to`.
    static func move(_ from: String, toNew to: String) throws {
        guard sr_rename_no_replace(from, to) == 0 else { throw Failure(path: to, code: errno, doing: "cannot create") }
        synchronizeFolder(of: to)
    }

    // MARK: - Names and modes

    /// A name beside `path` that no one can predict and that does not end in `.sqlite`.
    static func temporaryName(for path: String) -> String {
        var random = SystemRandomNumberGenerator()
        let token = String(random.next() & 0xFFFF_FFFF_FFFF, radix: 16)
        return "\(path).partial-\(token)"
    }

    /// Whether anything exists at `path`, a dangling symbolic link included (unlike `fileExists`).
    static func entryExists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The kind of what `path` names without following a link: nil when nothing is there.
    static func entryKind(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }

    /// The read and write bits of `path` (execute bits dropped), to give files made from it; 0600 when
    /// it cannot be read.
    static func modeBits(of path: String) -> mode_t {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0o600 }
        return info.st_mode & 0o666
    }

    /// Makes a rename in `path`'s folder durable (best effort: some file systems refuse to sync folders).
    static func synchronizeFolder(of path: String) {
        let descriptor = open(Backup.folder(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = systemClose(descriptor)
    }
}

// `write` and `close` are also methods of ExclusiveFile; these name the system calls.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(descriptor, buffer, count)
    #else
    return Darwin.write(descriptor, buffer, count)
    #endif
}

private func systemClose(_ descriptor: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.close(descriptor)
    #elseif canImport(Musl)
    return Musl.close(descriptor)
    #else
    return Darwin.close(descriptor)
    #endif
}
