import CSQLiteHardening

/// What a command-line process does when it is interrupted while writing a backup.
///
/// A backup is written under a temporary name and renamed into place once verified; on SIGINT or
/// SIGTERM the handler removes that temporary file (and SQLite's side files beside it), says so on
/// standard error and ends the process by the same signal. SIGXFSZ is ignored, so that a file-size
/// limit (`ulimit -f`) makes the write fail with a clear error and a non-zero exit instead of killing
/// the process silently. An app that embeds the library keeps its own signal handling and need not
/// call this: a repair it runs still never leaves a partial file under a backup's name.
///
/// ```swift
/// InterruptCleanup.install() // first thing in main
/// ```
public enum InterruptCleanup {
    /// Installs the handlers for the whole process.
    public static func install() {
        sr_install_signal_cleanup()
    }
}
