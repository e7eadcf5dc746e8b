import ArgumentParser
import SchemaReconciler

/// The choices a person makes where the schema alone cannot decide; they shape the plan shown and run.
struct PlanChoices: ParsableArguments {
    @Option(name: .customLong("assume-version"),
            help: ArgumentHelp("Claim this version inside a schema-silent range (or settle an ambiguous match).",
                               valueName: "n"),
            transform: NumericOption.version)
    var assumeVersion: MigrationVersion?

    @Flag(name: .customLong("drop-unproven"),
          help: "Plan to delete ledger rows for versions whose effects the schema lacks.")
    var dropUnproven = false

    @Flag(name: .customLong("drop-unknown"), help: "Plan to delete ledger rows for versions that are not bundled.")
    var dropUnknown = false

    @Option(name: .customLong("accept-edit"),
            help: ArgumentHelp("Accept the bundled text of an edited schema-silent migration: its row is re-stamped (repeatable).",
                               valueName: "version"),
            transform: NumericOption.version)
    var acceptEdits: [MigrationVersion] = []

    @Option(name: .customLong("reference"),
            help: ArgumentHelp("A known-good backup: its ledger is evidence and the source of restored rows (read-only).",
                               valueName: "file"))
    var reference: String?

    func planOptions(requireTip: Bool = false, enforceInvariants: Bool = false) -> PlanOptions {
        PlanOptions(assumeVersion: assumeVersion, dropUnproven: dropUnproven, dropUnknown: dropUnknown,
                    requireTip: requireTip, enforceInvariants: enforceInvariants, referencePath: reference,
                    acceptEdits: Set(acceptEdits))
    }
}
