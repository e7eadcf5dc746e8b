import Foundation
import SchemaReconciler
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Draws a ``ProgressMeter``'s line on standard error, redrawing in place, and clears it when done.
///
/// Exists only when ``ProgressMeter/isWanted(stderrIsTerminal:environment:machineReadableOutput:)`` allows
/// it for this process and output format; the meter decides when and what to draw.
/// Calls come one at a time (the parallel checks report under their own lock), hence `@unchecked Sendable`.
final class ProgressReporter: @unchecked Sendable {
    private let activity: String
    private let unit: String
    private let start = ProcessInfo.processInfo.systemUptime
    private var meter: ProgressMeter?
    private var lastDrawn: TimeInterval?

    /// A reporter, or nil when progress must not be shown (not a terminal, NO_COLOR, TERM=dumb, machine output).
    init?(format: OutputFormat, activity: String, unit: String) {
        guard ProgressMeter.isWanted(stderrIsTerminal: isatty(STDERR_FILENO) != 0,
                                     environment: ProcessInfo.processInfo.environment,
                                     machineReadableOutput: format.isMachineReadable) else { return nil }
        self.activity = activity
        self.unit = unit
    }

    /// Records that `done` of `total` units are finished, redrawing when the meter says so.
    func update(done: Int, total: Int) {
        if meter?.total != total { meter = ProgressMeter(total: total, unit: unit, activity: activity) }
        guard let meter else { return }
        let elapsed = ProcessInfo.processInfo.systemUptime - start
        guard meter.shouldDraw(done: done, elapsed: elapsed, lastDrawn: lastDrawn) else { return }
        lastDrawn = elapsed
        write("\r\u{1B}[2K" + meter.line(done: done, elapsed: elapsed))
    }

    /// The closure form the library takes.
    var callback: (Int, Int) -> Void { { [self] done, total in update(done: done, total: total) } }

    /// Clears the line, if anything was drawn, so the report starts on a clean line.
    func finish() {
        guard lastDrawn != nil else { return }
        write("\r\u{1B}[2K")
        lastDrawn = nil
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
