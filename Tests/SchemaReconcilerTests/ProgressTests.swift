import Foundation
import Testing
@testable import SchemaReconciler

@Suite("Progress on long work")
struct ProgressTests {
    @Test("shown only on a terminal, never with NO_COLOR, TERM=dumb or machine-readable output")
    func whenProgressIsWanted() {
        let terminal = ["TERM": "xterm-256color"]
        #expect(ProgressMeter.isWanted(stderrIsTerminal: true, environment: terminal, machineReadableOutput: false))
        #expect(!ProgressMeter.isWanted(stderrIsTerminal: false, environment: terminal, machineReadableOutput: false))
        #expect(!ProgressMeter.isWanted(stderrIsTerminal: true, environment: terminal, machineReadableOutput: true))
        #expect(!ProgressMeter.isWanted(stderrIsTerminal: true, environment: ["TERM": "dumb"], machineReadableOutput: false))
        #expect(!ProgressMeter.isWanted(stderrIsTerminal: true, environment: ["TERM": "xterm", "NO_COLOR": "1"],
                                        machineReadableOutput: false))
        // no-color.org: only a non-empty NO_COLOR counts.
        #expect(ProgressMeter.isWanted(stderrIsTerminal: true, environment: ["TERM": "xterm", "NO_COLOR": ""],
                                       machineReadableOutput: false))
    }

    @Test("nothing before a second; then at most every interval; the final count always once started")
    func whenToDraw() {
        let meter = ProgressMeter(total: 100, unit: "versions", activity: "replaying migrations", delay: 1, interval: 0.1)
        #expect(!meter.shouldDraw(done: 50, elapsed: 0.99, lastDrawn: nil))
        #expect(meter.shouldDraw(done: 50, elapsed: 1.0, lastDrawn: nil))
        // Work that ends before anything was drawn never flashes a line.
        #expect(!meter.shouldDraw(done: 100, elapsed: 1.5, lastDrawn: nil))
        #expect(!meter.shouldDraw(done: 51, elapsed: 1.05, lastDrawn: 1.0))
        #expect(meter.shouldDraw(done: 60, elapsed: 1.1, lastDrawn: 1.0))
        #expect(meter.shouldDraw(done: 100, elapsed: 1.11, lastDrawn: 1.1))
    }

    @Test("the line says done of total, the rate and the time left")
    func line() {
        let meter = ProgressMeter(total: 1000, unit: "versions", activity: "replaying migrations")
        // 500 in 2 s is 250/s; 500 left at that rate is 2 s.
        #expect(meter.line(done: 500, elapsed: 2) == "replaying migrations: 500/1000 versions (50%), 250/s, about 2 s left")
        #expect(meter.line(done: 1000, elapsed: 4) == "replaying migrations: 1000/1000 versions (100%), 250/s")
        #expect(meter.line(done: 0, elapsed: 1) == "replaying migrations: 0/1000 versions (0%)")
        let slow = ProgressMeter(total: 10, unit: "databases", activity: "checking")
        // 3 in 2 s is 1.5/s; 7 left take 4.67 s, said as 5 s (rounded up, never "0 s left" early).
        #expect(slow.line(done: 3, elapsed: 2) == "checking: 3/10 databases (30%), 1.5/s, about 5 s left")
        #expect(ProgressMeter.duration(125) == "2 min 5 s")
        #expect(ProgressMeter.duration(3725) == "1 h 2 min")
        #expect(ProgressMeter.duration(0.2) == "1 s")
    }

    @Test("the fingerprinter reports each migration replayed, in order, ending at the total")
    func fingerprinterCallback() throws {
        let set = Repo.reconciler.migrations
        var calls: [(Int, Int)] = []
        _ = try Fingerprinter().fingerprint(set) { done, total in calls.append((done, total)) }
        #expect(calls.map(\.0) == Array(1...set.applying.count))
        #expect(calls.allSatisfy { $0.1 == set.applying.count })
    }
}
