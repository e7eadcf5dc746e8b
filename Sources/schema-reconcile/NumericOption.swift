import ArgumentParser
import SchemaReconciler

/// Reads numeric options with their allowed range, so any input is either a value in range or a
/// usage error (exit 64) that names the range; never a trap further on.
enum NumericOption {
    /// The longest `--busy-timeout`: one hour, in milliseconds (a repair never waits forever).
    static let busyTimeoutRange: ClosedRange<Int> = 0...3_600_000

    static func busyTimeout(_ argument: String) throws -> Int {
        guard let value = Int(argument), busyTimeoutRange.contains(value) else {
            throw ValidationError("must be a whole number of milliseconds from \(busyTimeoutRange.lowerBound) to \(busyTimeoutRange.upperBound)")
        }
        return value
    }

    static func version(_ argument: String) throws -> MigrationVersion {
        guard let value = MigrationVersion(argument: argument) else {
            throw ValidationError("must be a migration version: a whole number from \(Int64.min) to \(Int64.max), "
                                  + "a dotted version such as 1.2.10 (Flyway), or letters and digits (diesel)")
        }
        return value
    }

    /// How many databases one call works on at once.
    static let jobsRange: ClosedRange<Int> = 1...1024

    static func jobs(_ argument: String) throws -> Int {
        guard let value = Int(argument), jobsRange.contains(value) else {
            throw ValidationError("must be a whole number of databases from \(jobsRange.lowerBound) to \(jobsRange.upperBound)")
        }
        return value
    }
}
