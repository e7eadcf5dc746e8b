import Foundation

/// Decides whether and what to show as progress for long work (a replay of many migrations, a
/// check over many databases): pure functions of the inputs, so every rule is testable.
///
/// Progress is shown only to a person: on a terminal, never when `NO_COLOR` is set or the terminal
/// is dumb, never around machine-readable output; and only once the work has taken longer than
/// ``delay`` (a fast run prints nothing at all).
///
/// ```swift
/// guard ProgressMeter.isWanted(stderrIsTerminal: isatty(2) != 0, environment: ProcessInfo.processInfo.environment,
///                              machineReadableOutput: false) else { return }
/// let meter = ProgressMeter(total: set.applying.count, unit: "versions", activity: "replaying migrations")
/// if let line = meter.line(done: 412, elapsed: 3.4) { FileHandle.standardError.write(Data(("\r" + line).utf8)) }
/// ```
public struct ProgressMeter: Sendable, Hashable {
    /// How much work there is.
    public var total: Int
    /// What is counted, plural (`versions`, `databases`).
    public var unit: String
    /// What is being done (`replaying migrations`).
    public var activity: String
    /// How long the work runs before progress appears.
    public var delay: TimeInterval
    /// The least time between two redraws.
    public var interval: TimeInterval

    /// Creates a meter for `total` units of work.
    ///
    /// ```swift
    /// let meter = ProgressMeter(total: paths.count, unit: "databases", activity: "checking")
    /// ```
    public init(total: Int, unit: String, activity: String, delay: TimeInterval = 1.0, interval: TimeInterval = 0.1) {
        self.total = total
        self.unit = unit
        self.activity = activity
        self.delay = delay
        self.interval = interval
    }

    /// Whether progress may be shown at all: standard error is a terminal, `NO_COLOR` is unset or
    /// empty, `TERM` is not `dumb`, and the output is not for a program (JSON, JUnit, GitHub commands).
    ///
    /// ```swift
    /// ProgressMeter.isWanted(stderrIsTerminal: true, environment: ["TERM": "dumb"], machineReadableOutput: false) // false
    /// ```
    public static func isWanted(stderrIsTerminal: Bool, environment: [String: String], machineReadableOutput: Bool) -> Bool {
        guard stderrIsTerminal, !machineReadableOutput else { return false }
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        return environment["TERM"] != "dumb"
    }

    /// Whether to redraw now: once past ``delay``, at most every ``interval``, and always for the last unit
    /// (so the final count is seen) when anything was drawn before.
    ///
    /// ```swift
    /// meter.shouldDraw(done: 10, elapsed: 0.5, lastDrawn: nil) // false: too early
    /// ```
    public func shouldDraw(done: Int, elapsed: TimeInterval, lastDrawn: TimeInterval?) -> Bool {
        guard elapsed >= delay else { return false }
        guard let lastDrawn else { return done < total }
        return done >= total || elapsed - lastDrawn >= interval
    }

    /// The progress line after `done` units in `elapsed` seconds:
    /// `replaying migrations: 412/1000 versions (41%), 121/s, about 5 s left`.
    ///
    /// ```swift
    /// print(meter.line(done: 500, elapsed: 2)) // "…: 500/1000 versions (50%), 250/s, about 2 s left"
    /// ```
    public func line(done: Int, elapsed: TimeInterval) -> String {
        let clamped = min(max(done, 0), total)
        let percent = total > 0 ? clamped * 100 / total : 100
        var text = "\(activity): \(clamped)/\(total) \(unit) (\(percent)%)"
        guard elapsed > 0, clamped > 0 else { return text }
        let rate = Double(clamped) / elapsed
        text += ", " + (rate >= 10 ? "\(Int(rate.rounded()))/s" : String(format: "%.1f/s", rate))
        if clamped < total {
            text += ", about " + Self.duration(Double(total - clamped) / rate) + " left"
        }
        return text
    }

    /// `4 s`, `2 min 5 s`, `1 h 3 min`: whole units, rounded up so "0 s left" never shows early.
    static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded(.up))
        if total < 60 { return "\(max(total, 1)) s" }
        if total < 3600 { return "\(total / 60) min \(total % 60) s" }
        return "\(total / 3600) h \(total % 3600 / 60) min"
    }
}
