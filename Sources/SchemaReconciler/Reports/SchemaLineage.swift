import Foundation

/// When each schema object of a timeline appeared, changed and disappeared: the model behind the
/// history page's lineage chart.
///
/// An object dropped and created again later has several spans; a table rebuilt inside one migration
/// (create new, copy, drop old, rename) keeps its key and shows as a change.
///
/// ```swift
/// let lineage = SchemaLineage(timeline: reconciler.timeline)
/// for object in lineage.objects {
///     print(object.key, object.spans.map { "\($0.start)…\($0.end.map(String.init) ?? "tip")" })
/// }
/// ```
struct SchemaLineage: Sendable {
    /// One object's life, by step index (`timeline.steps[index]`).
    struct Object: Sendable {
        /// A stretch of steps during which the object exists: from `start` (the step that created it)
        /// up to, not including, `end` (the step that dropped it); nil `end` means it exists at the tip.
        struct Span: Sendable, Hashable {
            var start: Int
            var end: Int?
        }

        var key: ObjectKey
        /// The name as last spelled in the schema.
        var name: String
        var spans: [Span]
        /// Steps that changed the object's structure.
        var changes: [Int]
        /// The object as it last existed (for its columns and properties).
        var latest: SchemaObject

        /// Whether the object exists at the tip.
        var existsAtTip: Bool { spans.last?.end == nil }
    }

    /// Every object that ever existed, by first appearance, then kind and name.
    let objects: [Object]

    init(timeline: FingerprintTimeline) {
        var byKey: [ObjectKey: Object] = [:]
        var order: [ObjectKey] = []
        for (index, step) in timeline.steps.enumerated() {
            for object in step.effect.removed {
                guard var lineage = byKey[object.key], !lineage.spans.isEmpty else { continue }
                lineage.spans[lineage.spans.count - 1].end = index
                byKey[object.key] = lineage
            }
            for object in step.effect.added {
                if byKey[object.key] == nil {
                    byKey[object.key] = Object(key: object.key, name: object.name, spans: [], changes: [], latest: object)
                    order.append(object.key)
                }
                byKey[object.key]!.spans.append(.init(start: index, end: nil))
                byKey[object.key]!.name = object.name
                byKey[object.key]!.latest = object
            }
            for object in step.effect.changedObjects {
                byKey[object.key]?.changes.append(index)
                byKey[object.key]?.name = object.name
                byKey[object.key]?.latest = object
            }
        }
        // Effects add in key order within a step, so `order` is already by first step, then kind and name.
        objects = order.compactMap { byKey[$0] }
    }
}
