import Foundation
import SQLxEmulation
import Testing
@testable import SchemaReconciler

@Suite("Each committed fixture is diagnosed with its verdict and matched range")
struct FixtureDiagnosisTests {
    let reconciler = Repo.reconciler

    func diagnose(_ name: String, _ options: PlanOptions = PlanOptions()) -> Diagnosis {
        reconciler.diagnose(databaseAt: Repo.fixture(name), options: options)
    }

    func planned(_ diagnosis: Diagnosis, _ kind: RepairPlan.Action.Kind) -> [MigrationVersion] {
        diagnosis.plan.actions.filter { $0.kind == kind }.compactMap(\.version)
    }

    @Test("a database migrated to the tip is consistent, matching the schema-silent tail 32…34")
    func consistentTip() {
        let diagnosis = diagnose("consistent-tip.sqlite")
        #expect(diagnosis.verdict == .consistent)
        #expect(diagnosis.matchedVersions == VersionRange(lowest: 32, highest: 34))
        #expect(diagnosis.exitCode == .ok)
        #expect(!diagnosis.plan.writes)
        #expect(diagnosis.ledger.versions == versions(1...34))
    }

    @Test("an older install at 20 is consistent, and fails only with --require-tip")
    func consistentOlder() {
        let diagnosis = diagnose("consistent-v20.sqlite")
        #expect(diagnosis.verdict == .consistent)
        #expect(diagnosis.matchedVersions == VersionRange(lowest: 20, highest: 20))
        #expect(diagnosis.exitCode == .ok)
        let strict = diagnose("consistent-v20.sqlite", PlanOptions(requireTip: true))
        #expect(strict.exitCode == .needsPerson)
        #expect(strict.findings.contains { $0.kind == .pendingMigrations && $0.versions.first == 21 })
    }

    @Test("an empty database is fresh")
    func fresh() {
        let diagnosis = diagnose("fresh.sqlite")
        #expect(diagnosis.verdict == .fresh)
        #expect(diagnosis.exitCode == .ok)
        #expect(diagnosis.matchedVersions?.lowest == 0)
        #expect(!diagnosis.plan.writes)
    }

    @Test("the field case: schema at 23, ledger through 20, rows 21–23 planned with bundled checksums")
    func behindByThree() {
        let diagnosis = diagnose("behind-by-three.sqlite")
        #expect(diagnosis.verdict == .behind)
        #expect(diagnosis.matchedVersions == VersionRange(lowest: 23, highest: 23))
        #expect(diagnosis.exitCode == .repairable)
        #expect(planned(diagnosis, .insert) == [21, 22, 23])
        let checksums = diagnosis.plan.actions.filter { $0.kind == .insert }.map(\.checksum)
        #expect(checksums == [21, 22, 23].map { reconciler.migrations.applied(version: $0)?.checksum })
        let evidence = diagnosis.findings.first { $0.kind == .behind }?.evidence ?? []
        #expect(evidence.contains { $0.version == 21 && $0.objects.contains("table thread_names") })
        #expect(evidence.contains { $0.version == 23 && $0.objects.contains("no table logs") })
    }

    @Test("a missing ledger with the schema at 23 is baselined 1…23")
    func noLedger() {
        let diagnosis = diagnose("no-ledger.sqlite")
        #expect(diagnosis.verdict == .noLedger)
        #expect(diagnosis.exitCode == .repairable)
        #expect(diagnosis.plan.actions.first?.kind == .createLedger)
        #expect(planned(diagnosis, .insert) == versions(1...23))
        #expect(!diagnosis.ledger.exists)
    }

    @Test("a CRLF checksum is re-stamped and the edit is named")
    func checksumDriftCRLF() {
        let diagnosis = diagnose("checksum-drift-crlf.sqlite")
        #expect(diagnosis.verdict == .checksumDrift)
        #expect(diagnosis.ledger.checksumMismatches == [7])
        let restamp = diagnosis.plan.actions.first { $0.kind == .restamp }
        #expect(restamp?.version == 7)
        #expect(restamp?.reason == ChecksumEdit.appliedHadCRLF.description)
    }

    @Test("an arbitrary edit is re-stamped without claiming to know the edit")
    func checksumDriftEdited() {
        let diagnosis = diagnose("checksum-drift-edited.sqlite")
        #expect(diagnosis.verdict == .checksumDrift)
        #expect(planned(diagnosis, .restamp) == [13])
        #expect(diagnosis.plan.actions.first { $0.kind == .restamp }?.reason == "the file changed after it was applied")
    }

    @Test("a dirty row the schema proves applied is marked succeeded")
    func dirtyApplied() {
        let diagnosis = diagnose("dirty-applied.sqlite")
        #expect(diagnosis.verdict == .dirty)
        #expect(diagnosis.exitCode == .repairable)
        #expect(planned(diagnosis, .markSucceeded) == [25])
    }

    @Test("a dirty row the schema proves did not apply is removed")
    func dirtyNotApplied() {
        let diagnosis = diagnose("dirty-not-applied.sqlite")
        #expect(diagnosis.verdict == .dirty)
        #expect(diagnosis.matchedVersions == VersionRange(lowest: 24, highest: 24))
        #expect(planned(diagnosis, .delete) == [25])
    }

    @Test("a ledger ahead of the schema is refused unless --drop-unproven")
    func ahead() {
        let diagnosis = diagnose("ahead.sqlite")
        #expect(diagnosis.verdict == .ahead)
        #expect(diagnosis.exitCode == .needsPerson)
        #expect(diagnosis.matchedVersions == VersionRange(lowest: 20, highest: 20))
        #expect(diagnosis.plan.blockers.contains { $0.flag == "--drop-unproven" })
        #expect(!diagnosis.plan.writes)
        let dropping = diagnose("ahead.sqlite", PlanOptions(dropUnproven: true))
        #expect(dropping.exitCode == .repairable)
        #expect(planned(dropping, .delete) == [21, 22, 23])
        #expect(dropping.plan.writes)
    }

    @Test("rows for versions that are not bundled are kept and reported; the newer build's table is foreign")
    func unknownVersions() {
        let diagnosis = diagnose("unknown-versions.sqlite")
        #expect(diagnosis.verdict == .unknownVersions)
        #expect(diagnosis.ledger.unknownVersions == [35])
        #expect(planned(diagnosis, .keep) == [35])
        #expect(diagnosis.findings.contains { $0.kind == .foreignObjects && $0.message.contains("thread_pins") })
        #expect(diagnosis.matchedVersions == VersionRange(lowest: 32, highest: 34))
        let dropping = diagnose("unknown-versions.sqlite", PlanOptions(dropUnknown: true))
        #expect(planned(dropping, .delete) == [35])
    }

    @Test("a schema matching no version is unrecognised, with the nearest version and the interrupted migration named")
    func unrecognised() {
        let diagnosis = diagnose("unrecognised.sqlite")
        #expect(diagnosis.verdict == .unrecognised)
        #expect(diagnosis.exitCode == .needsPerson)
        #expect(diagnosis.matchedVersions == nil)
        #expect(diagnosis.nearestVersion == 25)
        let evidence = diagnosis.findings.first { $0.kind == .unrecognised }?.evidence ?? []
        #expect(evidence.contains { $0.version == 26 && $0.objects == ["table new_threads"] })
        #expect(!diagnosis.plan.writes)
    }

    @Test("a WAL-mode database is read without a checkpoint and diagnosed like any other")
    func walMode() {
        let diagnosis = diagnose("wal-behind.sqlite")
        #expect(diagnosis.verdict == .behind)
        #expect(planned(diagnosis, .insert) == [21, 22, 23])
    }

    @Test("a schema-silent tail is decided exactly by the manifest's probes: rows 30–34 planned")
    func silentTailWithProbes() {
        let diagnosis = diagnose("silent-tail.sqlite")
        #expect(diagnosis.verdict == .behind)
        #expect(diagnosis.matchedVersions == VersionRange(lowest: 32, highest: 34))
        #expect(diagnosis.plan.targetVersion == 34)
        #expect(planned(diagnosis, .insert) == [30, 31, 32, 33, 34])
        let probe = diagnosis.findings.first { $0.kind == .probe }
        #expect(probe?.message == "probes narrow the schema-silent range 32…34 to 34")
        #expect(probe?.evidence.map(\.detail) == ["probe for 33 (item counts backfilled): true",
                                                  "probe for 34 (thread names copied out of settings): true"])
        #expect(!diagnosis.plan.actions.contains { $0.kind == .keep })
    }

    @Test("without probes, a schema-silent tail claims only the lowest version and names --assume-version")
    func silentTail() throws {
        let bare = try Reconciler(migrationsFolder: Repo.migrations, loadManifest: false)
        let diagnosis = bare.diagnose(databaseAt: Repo.fixture("silent-tail.sqlite"))
        #expect(diagnosis.verdict == .behind)
        #expect(diagnosis.matchedVersions == VersionRange(lowest: 32, highest: 34))
        #expect(planned(diagnosis, .insert) == [30, 31, 32])
        #expect(diagnosis.findings.contains { $0.kind == .schemaSilentRange && $0.versions == [33, 34] })
        #expect(diagnosis.plan.actions.contains { $0.kind == .keep && $0.reason.contains("--assume-version") })
        let assumed = bare.diagnose(databaseAt: Repo.fixture("silent-tail.sqlite"), options: PlanOptions(assumeVersion: 34))
        #expect(planned(assumed, .insert) == [30, 31, 32, 33, 34])
    }

    @Test("objects no migration creates are foreign: a warning, exit 0")
    func foreignObjects() {
        let diagnosis = diagnose("foreign-objects.sqlite")
        #expect(diagnosis.verdict == .consistent)
        #expect(diagnosis.exitCode == .ok)
        let findings = diagnosis.findings.filter { $0.kind == .foreignObjects }
        // Reported once, though the bundled manifest's probes make the engine separate them twice.
        #expect(findings.count == 1)
        #expect(findings.first?.evidence.first?.objects == ["table cache_thumbnails", "index cache_thumbnails_bytes_idx"])
    }

    @Test("a ledger without a checksum column is malformed and needs a person")
    func malformedLedger() {
        let diagnosis = diagnose("malformed-ledger.sqlite")
        #expect(diagnosis.verdict == .malformedLedger)
        #expect(diagnosis.exitCode == .needsPerson)
        #expect(!diagnosis.plan.writes)
    }

    @Test("a text file is unreadable, exit 3, with a one-line reason naming the file")
    func notADatabase() {
        let diagnosis = diagnose(FixtureFactory.notADatabase)
        #expect(diagnosis.verdict == .unreadable)
        #expect(diagnosis.exitCode == .unreadable)
        #expect(diagnosis.findings.first?.message == "\(Repo.fixture(FixtureFactory.notADatabase)): not a SQLite database (or encrypted)")
    }
}
