import Foundation
import SQLxEmulation

// Regenerates Fixtures/ from Migrations/: `swift run generate-fixtures [MIGRATIONS_DIR] [OUTPUT_DIR]`.
let arguments = CommandLine.arguments.dropFirst()
let migrations = URL(fileURLWithPath: arguments.first ?? "Migrations")
let output = URL(fileURLWithPath: arguments.dropFirst().first ?? "Fixtures")
do {
    let factory = try FixtureFactory(migrationsFolder: migrations)
    try factory.generateAll(into: output)
    for recipe in FixtureFactory.recipes {
        print("\(output.path)/\(recipe.name): \(recipe.story)")
    }
    try GolangMigrateFixtures.generateAll(sqlxMigrations: migrations, into: output)
    for recipe in GolangMigrateFixtures.recipes {
        print("\(output.path)/\(GolangMigrateFixtures.folderName)/\(recipe.name): \(recipe.story)")
    }
    try GooseFixtures.generateAll(sqlxMigrations: migrations, into: output)
    for recipe in GooseFixtures.recipes {
        print("\(output.path)/\(GooseFixtures.folderName)/\(recipe.name): \(recipe.story)")
    }
    try DbmateFixtures.generateAll(sqlxMigrations: migrations, into: output)
    for recipe in DbmateFixtures.recipes {
        print("\(output.path)/\(DbmateFixtures.folderName)/\(recipe.name): \(recipe.story)")
    }
    try DieselFixtures.generateAll(sqlxMigrations: migrations, into: output)
    for recipe in DieselFixtures.recipes {
        print("\(output.path)/\(DieselFixtures.folderName)/\(recipe.name): \(recipe.story)")
    }
    try RefineryFixtures.generateAll(sqlxMigrations: migrations, into: output)
    for recipe in RefineryFixtures.recipes {
        print("\(output.path)/\(RefineryFixtures.folderName)/\(recipe.name): \(recipe.story)")
    }
    try FlywayFixtures.generateAll(sqlxMigrations: migrations, into: output)
    for recipe in FlywayFixtures.recipes {
        print("\(output.path)/\(FlywayFixtures.folderName)/\(recipe.name): \(recipe.story)")
    }
    try UserVersionFixtures.generateAll(migrations: migrations, into: output)
    for recipe in UserVersionFixtures.recipes {
        print("\(output.path)/\(UserVersionFixtures.folderName)/\(recipe.name): \(recipe.story)")
    }
} catch {
    FileHandle.standardError.write(Data("generate-fixtures: \(error)\n".utf8))
    exit(1)
}
