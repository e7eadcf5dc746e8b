import Foundation
import GRDB
import GRDBSQLite

/// What a probe said about the database.
enum ProbeResult: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The probe's expression was true: its migration ran.
    case ran
    /// False: its migration did not run.
    case didNotRun
    /// The probe could not be evaluated (error, time limit, not a boolean).
    case failed(String)

    public var description: String {
        switch self {
        case .ran: return "true"
        case .didNotRun: return "false"
        case .failed(let reason): return "failed: \(reason)"
        }
    }
}

/// The rows that break one invariant (up to its `max-rows`), or why it could not run.
struct InvariantResult: Sendable, Hashable, Codable {
    public var name: String
    /// Offending rows, each rendered as `column=value, …`.
    public var violations: [String]
    /// Whether more rows broke it than are shown.
    public var truncated: Bool
    /// Why the query could not run, if it could not.
    public var failure: String?
}

/// Runs a manifest's probes and invariants against a database, strictly read-only and time-limited.
///
/// Statements must be a single read-only `SELECT`/`WITH`/`VALUES` (checked when the manifest is
/// validated, and again here with `sqlite3_stmt_readonly`); the connection itself is read-only and
/// cannot ATTACH; a progress handler interrupts any statement that runs past the time limit. A
/// failing or slow probe is reported, never fatal.
///
/// ```swift
/// let results = DeclaredChecks.probes(manifest.probes, in: db)
/// ```
enum DeclaredChecks {
    /// Per-statement time limit.
    public static let timeLimit: TimeInterval = 2

    /// Whether `sql` is shaped like a query (its first word is SELECT, WITH or VALUES).
    public static func isQueryShaped(_ sql: String) -> Bool {
        guard let first = SQLTokenizer.tokens(in: sql).first?.canonical else { return false }
        return ["SELECT", "WITH", "VALUES"].contains(first)
    }

    /// Evaluates each probe; the result per version.
    public static func probes(_ probes: [Manifest.Probe], in db: Database, timeLimit: TimeInterval = timeLimit) -> [MigrationVersion: ProbeResult] {
        var results: [MigrationVersion: ProbeResult] = [:]
        for probe in probes {
            do {
                let row = try withTimeLimit(timeLimit, db) {
                    try Row.fetchOne(try readOnlyStatement(probe.sql, db))
                }
                guard let value = row?[0] as DatabaseValue?, let number = Int64.fromDatabaseValue(value) else {
                    results[probe.version] = .failed("did not return a single integer (0 or 1)")
                    continue
                }
                results[probe.version] = number != 0 ? .ran : .didNotRun
            } catch {
                results[probe.version] = .failed(describe(error))
            }
        }
        return results
    }

    /// Evaluates each invariant.
    public static func invariants(_ invariants: [Manifest.Invariant], in db: Database,
                                  timeLimit: TimeInterval = timeLimit) -> [InvariantResult] {
        invariants.map { invariant in
            do {
                let rows = try withTimeLimit(timeLimit, db) {
                    try Array(Row.fetchCursor(try readOnlyStatement(invariant.sql, db)).prefix(invariant.maxRows + 1).map { $0.copy() })
                }
                let rendered = rows.prefix(invariant.maxRows).map { row in
                    row.columnNames.map { "\($0)=\(row[$0] as DatabaseValue)" }.joined(separator: ", ")
                }
                return InvariantResult(name: invariant.name, violations: Array(rendered),
                                       truncated: rows.count > invariant.maxRows, failure: nil)
            } catch {
                return InvariantResult(name: invariant.name, violations: [], truncated: false, failure: describe(error))
            }
        }
    }

    /// A compiled statement, refused unless SQLite says it cannot write.
    static func readOnlyStatement(_ sql: String, _ db: Database) throws -> Statement {
        guard isQueryShaped(sql) else { throw DeclaredCheckError(message: "not a SELECT") }
        let statement = try db.makeStatement(sql: sql)
        guard statement.isReadonly else { throw DeclaredCheckError(message: "the statement could write; refused") }
        return statement
    }

    struct DeclaredCheckError: Error { let message: String }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DeclaredCheckError { return error.message }
        if let error = error as? DatabaseError {
            if error.resultCode == .SQLITE_INTERRUPT { return "took longer than the time limit" }
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }

    /// Runs `body` with a progress handler that interrupts it after `limit` seconds.
    static func withTimeLimit<T>(_ limit: TimeInterval, _ db: Database, _ body: () throws -> T) throws -> T {
        let deadline = Deadline(at: DispatchTime.now().uptimeNanoseconds + UInt64(limit * 1e9))
        let context = Unmanaged.passRetained(deadline)
        sqlite3_progress_handler(db.sqliteConnection, 1000, { pointer in
            guard let pointer else { return 0 }
            let deadline = Unmanaged<Deadline>.fromOpaque(pointer).takeUnretainedValue()
            return DispatchTime.now().uptimeNanoseconds > deadline.nanoseconds ? 1 : 0
        }, context.toOpaque())
        defer {
            sqlite3_progress_handler(db.sqliteConnection, 0, nil, nil)
            context.release()
        }
        return try body()
    }

    final class Deadline: @unchecked Sendable {
        let nanoseconds: UInt64
        init(at nanoseconds: UInt64) { self.nanoseconds = nanoseconds }
    }
}
