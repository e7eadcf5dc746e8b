import Foundation

/// Pause points for the crash-safety harness: with `SCHEMA_RECONCILE_TEST_PAUSE=<point>:<ms>` in
/// the environment, a repair announces `schema-reconcile: paused at <point>` on stderr and sleeps
/// there, so a test can SIGKILL it at that exact moment. Without the variable it does nothing.
///
/// ```sh
/// SCHEMA_RECONCILE_TEST_PAUSE=before-commit:5000 schema-reconcile repair state.sqlite
/// ```
enum FaultInjection {
    /// Moments a repair can be paused at.
    enum Point: String {
        /// The write lock is held and the backup is part-way written under its temporary name.
        case duringBackup = "during-backup"
        /// The verified backup exists; no write transaction has begun.
        case afterBackup = "after-backup"
        /// Inside `BEGIN IMMEDIATE`, every ledger write done, not yet committed.
        case beforeCommit = "before-commit"
    }

    static func pause(at point: Point) {
        guard let setting = ProcessInfo.processInfo.environment["SCHEMA_RECONCILE_TEST_PAUSE"] else { return }
        let parts = setting.split(separator: ":")
        guard parts.count == 2, parts[0] == point.rawValue, let milliseconds = UInt32(parts[1]) else { return }
        FileHandle.standardError.write(Data("schema-reconcile: paused at \(point.rawValue)\n".utf8))
        usleep(milliseconds * 1000)
    }
}
