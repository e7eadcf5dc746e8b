import Foundation
import MigrationSynthesis

// Writes a seeded synthetic sqlx migration history: `generate-migrations COUNT OUTPUT_DIR [SEED]`.
let arguments = Array(CommandLine.arguments.dropFirst())
guard (2...3).contains(arguments.count), let count = Int(arguments[0]), count >= 0,
      arguments.count == 2 || UInt64(arguments[2]) != nil else {
    FileHandle.standardError.write(Data("usage: generate-migrations COUNT OUTPUT_DIR [SEED]   (SEED defaults to 42)\n".utf8))
    exit(64)
}
let output = URL(fileURLWithPath: arguments[1])
let seed = arguments.count == 3 ? UInt64(arguments[2])! : 42
let history = SyntheticHistory(seed: seed, count: count)
do {
    try history.write(to: output)
} catch {
    FileHandle.standardError.write(Data("generate-migrations: \(error)\n".utf8))
    exit(1)
}
let bytes = history.migrations.reduce(0) { $0 + $1.sql.utf8.count }
let first = history.migrations.first?.fileName ?? "-"
let last = history.migrations.last?.fileName ?? "-"
print("wrote \(history.migrations.count) migrations (\(bytes) bytes, seed \(seed)) to \(output.path): \(first) … \(last)")
