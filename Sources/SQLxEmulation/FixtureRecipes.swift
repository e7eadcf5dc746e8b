import Foundation
import GRDB

extension FixtureFactory {
    /// The newest bundled version.
    static let tip: Int64 = 34

    /// Every committed fixture, with how it came to be.
    public static let recipes: [Recipe] = [
        Recipe(name: "consistent-tip.sqlite", story: "sqlx applied every migration; nothing drifted") { factory, db in
            try factory.migrate(db, upTo: tip)
        },
        Recipe(name: "consistent-v20.sqlite", story: "an older install at version 20; 21–34 are pending") { factory, db in
            try factory.migrate(db, upTo: 20)
        },
        Recipe(name: "fresh.sqlite", story: "the app created the file but never migrated it") { _, db in
            try db.execute(sql: "CREATE TABLE scratch(a); DROP TABLE scratch")
        },
        Recipe(name: "behind-by-three.sqlite",
               story: "the field case: a newer build applied 21–23, then the ledger was restored to 20") { factory, db in
            try factory.migrate(db, upTo: 23)
            try factory.truncateLedger(db, after: 20)
        },
        Recipe(name: "no-ledger.sqlite", story: "the ledger table was dropped by hand; the schema is at 23") { factory, db in
            try factory.migrate(db, upTo: 23)
            try db.execute(sql: "DROP TABLE _sqlx_migrations")
        },
        Recipe(name: "checksum-drift-crlf.sqlite",
               story: "migration 7 was applied from a Windows checkout with CRLF line endings") { factory, db in
            try factory.migrate(db, upTo: tip)
            let crlf = try factory.source(7).sql.replacingOccurrences(of: "\n", with: "\r\n")
            try db.execute(sql: "UPDATE _sqlx_migrations SET checksum = ? WHERE version = 7",
                           arguments: [FixtureFactory.checksum(crlf)])
        },
        Recipe(name: "checksum-drift-edited.sqlite",
               story: "migration 13's file gained a comment after release") { factory, db in
            try factory.migrate(db, upTo: tip)
            let original = "-- thread list for the sidebar\n" + (try factory.source(13).sql)
            try db.execute(sql: "UPDATE _sqlx_migrations SET checksum = ? WHERE version = 13",
                           arguments: [FixtureFactory.checksum(original)])
        },
        Recipe(name: "dirty-applied.sqlite",
               story: "migration 25 completed but its row was left with success = 0 by an interrupted tool") { factory, db in
            try factory.migrate(db, upTo: 25)
            try db.execute(sql: "UPDATE _sqlx_migrations SET success = FALSE WHERE version = 25")
        },
        Recipe(name: "dirty-not-applied.sqlite",
               story: "a row for 25 says success = 0 and the schema shows 25 never ran") { factory, db in
            try factory.migrate(db, upTo: 24)
            let source = try factory.source(25)
            try db.execute(sql: """
                INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
                VALUES (?, ?, FALSE, ?, -1)
                """, arguments: [source.version, source.description, source.checksum])
        },
        Recipe(name: "ahead.sqlite",
               story: "a backup of the schema at 20 was restored but the ledger kept rows up to 23") { factory, db in
            try factory.migrate(db, upTo: 20)
            for version: Int64 in 21...23 {
                let source = try factory.source(version)
                try db.execute(sql: """
                    INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
                    VALUES (?, ?, TRUE, ?, 1)
                    """, arguments: [source.version, source.description, source.checksum])
            }
        },
        Recipe(name: "unknown-versions.sqlite",
               story: "a newer build applied its migration 35 (a pins table), then the user went back to this build") { factory, db in
            try factory.migrate(db, upTo: tip)
            try db.execute(sql: """
                CREATE TABLE thread_pins (thread_id TEXT PRIMARY KEY REFERENCES threads (id) ON DELETE CASCADE, pinned_at INTEGER NOT NULL);
                INSERT INTO thread_pins VALUES ('t1', 500);
                INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
                VALUES (35, 'create thread pins', TRUE, ?, 1)
                """, arguments: [FixtureFactory.checksum("CREATE TABLE thread_pins (...);\n")])
        },
        Recipe(name: "unrecognised.sqlite",
               story: "an interrupted hand-run of migration 26 left its new_threads table beside the old one") { factory, db in
            try factory.migrate(db, upTo: 25)
            try db.execute(sql: "CREATE TABLE new_threads (id TEXT PRIMARY KEY NOT NULL, rollout_path TEXT NOT NULL)")
        },
        Recipe(name: "wal-behind.sqlite", story: "the field case in a WAL-mode database: schema at 23, ledger through 20",
               build: { factory, db in
                   try factory.migrate(db, upTo: 23)
                   try factory.truncateLedger(db, after: 20)
               }, walMode: true),
        Recipe(name: "silent-tail.sqlite",
               story: "schema at 34 (33 and 34 are data-only backfills), ledger through 29") { factory, db in
            try factory.migrate(db, upTo: tip)
            try factory.truncateLedger(db, after: 29)
        },
        Recipe(name: "foreign-objects.sqlite",
               story: "healthy at 34, plus a cache table and index the app creates outside migrations, and a runtime_ table the manifest ignores") { factory, db in
            try factory.migrate(db, upTo: tip)
            try db.execute(sql: """
                CREATE TABLE cache_thumbnails (key TEXT PRIMARY KEY, bytes BLOB);
                CREATE INDEX cache_thumbnails_bytes_idx ON cache_thumbnails (length(bytes));
                INSERT INTO cache_thumbnails VALUES ('a', x'00');
                CREATE TABLE runtime_kv (key TEXT PRIMARY KEY, value TEXT);
                """)
        },
        Recipe(name: "invariant-violated.sqlite",
               story: "healthy at 34, but two threads are bound to one rollout file") { factory, db in
            try factory.migrate(db, upTo: tip)
            try db.execute(sql: """
                INSERT INTO threads (id, rollout_path, created_at, updated_at, title, archived, model_provider, cwd)
                VALUES ('t9', '/home/ana/.agent/rollouts/a.jsonl', 400, 400, 'Fix login bug (copy)', 0, 'openai', '/home/ana/app')
                """)
        },
        Recipe(name: "former-checksum.sqlite",
               story: "migrated by release 0.3, whose 0009 had a shorter comment (a checksum the manifest declares)") { factory, db in
            try factory.migrate(db, upTo: tip)
            let shipped = "-- When a thread was archived.\nALTER TABLE threads ADD COLUMN archived_at INTEGER;\n"
            try db.execute(sql: "UPDATE _sqlx_migrations SET checksum = ? WHERE version = 9",
                           arguments: [FixtureFactory.checksum(shipped)])
        },
        Recipe(name: "app-data/state.sqlite",
               story: "the app's state database (see the manifest's [[database]]): schema at 34, ledger through 31") { factory, db in
            try factory.migrate(db, upTo: tip)
            try factory.truncateLedger(db, after: 31)
        },
        Recipe(name: "app-data/logs.sqlite",
               story: "the app's logs database, with its own migrations: schema at 3, ledger through 2") { factory, db in
            try factory.migrateLogs(db, upTo: 3)
            try factory.truncateLedger(db, after: 2)
        },
        Recipe(name: "malformed-ledger.sqlite",
               story: "a hand-made ledger table without the checksum column") { factory, db in
            try factory.migrate(db, upTo: 10)
            try db.execute(sql: """
                ALTER TABLE _sqlx_migrations RENAME TO old_ledger;
                CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, success BOOLEAN NOT NULL);
                INSERT INTO _sqlx_migrations SELECT version, description, success FROM old_ledger;
                DROP TABLE old_ledger;
                """)
        },
        Recipe(name: FixtureFactory.notADatabase, story: "a text file with a database's name") { _, _ in },
    ]
}
