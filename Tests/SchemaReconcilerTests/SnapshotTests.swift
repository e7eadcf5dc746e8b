import Foundation
import GRDB
import Testing
@testable import SchemaReconciler

@Suite("Canonical schema snapshot")
struct SnapshotTests {
    func hash(_ sql: String) throws -> Digest { try snapshot(sql).hash }

    @Test("a known object matches only its exact bytes: a name spelt with a decomposed é is another table to SQLite")
    func knownObjectsMatchBytes() throws {
        func schema(_ name: String) throws -> DatabaseQueue {
            let queue = try DatabaseQueue()
            try queue.write { try $0.execute(sql: "CREATE TABLE \"\(name)\"(a INTEGER); CREATE INDEX \"\(name)_a\" ON \"\(name)\"(a)") }
            return queue
        }
        let composed = "caf\u{e9}", decomposed = "cafe\u{301}"
        #expect(composed == decomposed, "Swift's == equates them; SQLite does not")
        let learnedFrom = try schema(composed)
        var teacher = SchemaIntrospector()
        let composedSnapshot = try learnedFrom.read { try teacher.snapshot(of: $0) }
        #expect(teacher.learned.count == 2)

        let other = try schema(decomposed)
        try other.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_schema WHERE name = ?", arguments: [composed]) == 0)
            var known = SchemaIntrospector(known: teacher.learned)
            var cold = SchemaIntrospector()
            let fromKnown = try known.snapshot(of: db)
            #expect(known.introspectedObjectCount == 2, "both rows are read, neither is taken from the composed spelling")
            let fromPragmas = try cold.snapshot(of: db)
            #expect(fromKnown.hash == fromPragmas.hash)
            #expect(fromKnown.hash != composedSnapshot.hash)
        }
        // The same bytes are still found: a copy of the composed schema reads no pragma.
        try schema(composed).read { db in
            var known = SchemaIntrospector(known: teacher.learned)
            let again = try known.snapshot(of: db)
            #expect(again.hash == composedSnapshot.hash)
            #expect(known.introspectedObjectCount == 0)
        }
    }

    // MARK: - Equalities the snapshot must see through

    @Test("a column added by ALTER TABLE ADD COLUMN fingerprints like the same column in CREATE TABLE")
    func addColumnEqualsCreate() throws {
        let altered = try hash("""
            CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT NOT NULL DEFAULT 'x', CHECK (a > 0));
            ALTER TABLE t ADD COLUMN c VARCHAR(10) COLLATE NOCASE DEFAULT 'y' CHECK (length(c) < 10);
            """)
        let created = try hash("""
            CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT NOT NULL DEFAULT 'x', c VARCHAR(10) COLLATE NOCASE DEFAULT 'y' CHECK (length(c) < 10), CHECK (a > 0));
            """)
        #expect(altered == created)
    }

    @Test("ALTER TABLE RENAME of a table and of a column fingerprints like creating them with the new names")
    func renameEqualsCreate() throws {
        let renamed = try hash("""
            CREATE TABLE parent(id INTEGER PRIMARY KEY, label TEXT);
            CREATE TABLE child(id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id) ON DELETE CASCADE);
            CREATE INDEX parent_label ON parent(label);
            CREATE VIEW v AS SELECT label FROM parent;
            CREATE TRIGGER tr AFTER INSERT ON parent BEGIN UPDATE child SET parent_id = new.id WHERE parent_id IS NULL; END;
            ALTER TABLE parent RENAME TO owners;
            ALTER TABLE owners RENAME COLUMN label TO title;
            """)
        let created = try hash("""
            CREATE TABLE owners(id INTEGER PRIMARY KEY, title TEXT);
            CREATE TABLE child(id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES owners(id) ON DELETE CASCADE);
            CREATE INDEX parent_label ON owners(title);
            CREATE VIEW v AS SELECT title FROM owners;
            CREATE TRIGGER tr AFTER INSERT ON owners BEGIN UPDATE child SET parent_id = new.id WHERE parent_id IS NULL; END;
            """)
        #expect(renamed == created)
    }

    @Test("ADD COLUMN after table constraints (text no fresh CREATE accepts) is parsed tolerantly")
    func addColumnAfterConstraints() throws {
        let altered = try snapshot("CREATE TABLE t(a, PRIMARY KEY(a), CHECK (a <> '')); ALTER TABLE t ADD COLUMN b CHECK (b > 1)")
        let table = try #require(altered.objects[ObjectKey(kind: .table, name: "t")])
        #expect(table.facet("column b") == "(no type) CHECK(b > 1)")
        #expect(table.facet("check (a <> '')") == "unnamed")
    }

    @Test("whitespace, comments, keyword case and identifier quoting do not matter; names compare case-insensitively")
    func textualNoise() throws {
        let plain = try hash("CREATE TABLE Threads(Id INTEGER PRIMARY KEY, title VARCHAR(255)); CREATE INDEX idx ON threads(title)")
        let noisy = try hash("""
            create table "threads" ( -- the threads
              [id] integer primary key, /* title */ "TITLE" varchar( 255 ) );
            CREATE  INDEX "IDX" on [THREADS] ( "Title" );
            """)
        #expect(plain == noisy)
    }

    @Test("the same objects created in a different order fingerprint the same")
    func creationOrder() throws {
        #expect(try hash("CREATE TABLE a(x); CREATE TABLE b(y)") == (try hash("CREATE TABLE b(y); CREATE TABLE a(x)")))
    }

    @Test("UNIQUE and PRIMARY KEY constraints are identified by structure, not by autoindex names")
    func autoIndexNames() throws {
        // Constraint order decides sqlite_autoindex_t_1 / _2; the structure is the same.
        let first = try hash("CREATE TABLE t(a TEXT UNIQUE, b TEXT UNIQUE)")
        let second = try hash("CREATE TABLE t(a TEXT, b TEXT, UNIQUE(b), UNIQUE(a))")
        #expect(first == second)
    }

    // MARK: - Differences the snapshot must see

    static let base = "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c INTEGER REFERENCES p(id) ON DELETE CASCADE)"

    static let variants: [(String, String)] = [
        ("column type", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, b VARCHAR(10), c INTEGER REFERENCES p(id) ON DELETE CASCADE)"),
        ("INT vs INTEGER primary key (rowid alias)", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INT PRIMARY KEY, b TEXT, c INTEGER REFERENCES p(id) ON DELETE CASCADE)"),
        ("NOT NULL", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT NOT NULL, c INTEGER REFERENCES p(id) ON DELETE CASCADE)"),
        ("default", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT DEFAULT 'x', c INTEGER REFERENCES p(id) ON DELETE CASCADE)"),
        ("collation", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT COLLATE NOCASE, c INTEGER REFERENCES p(id) ON DELETE CASCADE)"),
        ("primary key column", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER, b TEXT PRIMARY KEY, c INTEGER REFERENCES p(id) ON DELETE CASCADE)"),
        ("primary key order DESC", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY DESC, b TEXT, c INTEGER REFERENCES p(id) ON DELETE CASCADE)"),
        ("AUTOINCREMENT", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY AUTOINCREMENT, b TEXT, c INTEGER REFERENCES p(id) ON DELETE CASCADE)"),
        ("generated column", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT AS (upper(a)), c INTEGER REFERENCES p(id) ON DELETE CASCADE)"),
        ("generated column storage", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT AS (upper(a)) STORED, c INTEGER REFERENCES p(id) ON DELETE CASCADE)"),
        ("CHECK", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT CHECK (b <> ''), c INTEGER REFERENCES p(id) ON DELETE CASCADE)"),
        ("CHECK name", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT CONSTRAINT nonempty CHECK (b <> ''), c INTEGER REFERENCES p(id) ON DELETE CASCADE)"),
        ("UNIQUE", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT UNIQUE, c INTEGER REFERENCES p(id) ON DELETE CASCADE)"),
        ("foreign key target", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c INTEGER REFERENCES p(k) ON DELETE CASCADE)"),
        ("foreign key action", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c INTEGER REFERENCES p(id) ON DELETE SET NULL)"),
        ("foreign key on update", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c INTEGER REFERENCES p(id) ON DELETE CASCADE ON UPDATE CASCADE)"),
        ("WITHOUT ROWID", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c INTEGER REFERENCES p(id) ON DELETE CASCADE) WITHOUT ROWID"),
        ("STRICT", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c INTEGER REFERENCES p(id) ON DELETE CASCADE) STRICT"),
        ("column order", "CREATE TABLE p(id INTEGER PRIMARY KEY, k TEXT UNIQUE); CREATE TABLE t(a INTEGER PRIMARY KEY, c INTEGER REFERENCES p(id) ON DELETE CASCADE, b TEXT)"),
        ("extra index", base + "; CREATE INDEX t_b ON t(b)"),
    ]

    @Test("every structural change gives a different fingerprint", arguments: variants)
    func structuralChange(_ variant: (String, String)) throws {
        #expect(try hash(Self.base) != (try hash(variant.1)), "\(variant.0) was not seen")
    }

    static let indexBase = "CREATE TABLE t(a TEXT, b TEXT); CREATE INDEX i ON t(a, b)"
    static let indexVariants: [(String, String)] = [
        ("index columns", "CREATE TABLE t(a TEXT, b TEXT); CREATE INDEX i ON t(a)"),
        ("index order", "CREATE TABLE t(a TEXT, b TEXT); CREATE INDEX i ON t(b, a)"),
        ("index DESC", "CREATE TABLE t(a TEXT, b TEXT); CREATE INDEX i ON t(a DESC, b)"),
        ("index collation", "CREATE TABLE t(a TEXT, b TEXT); CREATE INDEX i ON t(a COLLATE NOCASE, b)"),
        ("unique index", "CREATE TABLE t(a TEXT, b TEXT); CREATE UNIQUE INDEX i ON t(a, b)"),
        ("partial index", "CREATE TABLE t(a TEXT, b TEXT); CREATE INDEX i ON t(a, b) WHERE a IS NOT NULL"),
        ("expression index", "CREATE TABLE t(a TEXT, b TEXT); CREATE INDEX i ON t(lower(a), b)"),
        ("string literal case in a partial WHERE", "CREATE TABLE t(a TEXT, b TEXT); CREATE INDEX i ON t(a, b) WHERE a = 'X'"),
    ]

    @Test("every index change gives a different fingerprint", arguments: indexVariants)
    func indexChange(_ variant: (String, String)) throws {
        #expect(try hash(Self.indexBase) != (try hash(variant.1)), "\(variant.0) was not seen")
    }

    @Test("literals are kept exactly: 'X' and 'x' differ in a partial index")
    func literalCase() throws {
        let upper = try hash("CREATE TABLE t(a TEXT); CREATE INDEX i ON t(a) WHERE a = 'X'")
        let lower = try hash("CREATE TABLE t(a TEXT); CREATE INDEX i ON t(a) WHERE a = 'x'")
        #expect(upper != lower)
    }

    @Test("view body, trigger body and trigger timing changes give different fingerprints")
    func viewsAndTriggers() throws {
        let table = "CREATE TABLE t(a INTEGER, b INTEGER);"
        #expect(try hash(table + "CREATE VIEW v AS SELECT a FROM t") != (try hash(table + "CREATE VIEW v AS SELECT b FROM t")))
        let trigger = "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET b = 1; END"
        #expect(try hash(table + trigger) != (try hash(table + trigger.replacingOccurrences(of: "AFTER", with: "BEFORE"))))
        #expect(try hash(table + trigger) != (try hash(table + trigger.replacingOccurrences(of: "b = 1", with: "b = 2"))))
    }

    // MARK: - Membership

    @Test("an FTS5 table counts once; its shadow tables are attributed to it")
    func fts5Shadows() throws {
        let snap = try snapshot("CREATE VIRTUAL TABLE search USING fts5(title, body)")
        #expect(snap.objects.count == 1)
        let vtab = try #require(snap.objects[ObjectKey(kind: .virtualTable, name: "search")])
        #expect(vtab.shadowTables == ["search_config", "search_content", "search_data", "search_docsize", "search_idx"])
        #expect(vtab.facet("definition") == "CREATE VIRTUAL TABLE search USING fts5(title, body)")
    }

    @Test("the ledger table and sqlite_ internals are excluded; ignored patterns too")
    func exclusions() throws {
        let options = SnapshotOptions(ledgerTable: "_sqlx_migrations", ignored: [NamePattern("cache_*")])
        let snap = try snapshot("""
            CREATE TABLE _SQLX_MIGRATIONS(version BIGINT PRIMARY KEY);
            CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, a);
            INSERT INTO t(a) VALUES (1);
            CREATE INDEX ta ON t(a);
            ANALYZE;
            CREATE TABLE Cache_Thumbs(x);
            """, options: options)
        #expect(snap.objects.keys.sorted().map(\.description) == ["table t", "index ta"])
    }

    @Test("a column-level diff names the changed column and both definitions")
    func columnLevelDiff() throws {
        let before = try snapshot("CREATE TABLE t(a INTEGER, b TEXT)")
        let after = try snapshot("CREATE TABLE t(a INTEGER, b TEXT NOT NULL DEFAULT '')")
        let diff = SchemaDiff(from: before, to: after)
        #expect(diff.changed.count == 1)
        let change = try #require(diff.changed.first?.facetChanges.first)
        #expect(change.label == "column b")
        #expect(change.before == "text")
        #expect(change.after == "text NOT NULL DEFAULT ''")
    }

    @Test("identifiers fold ASCII case only, as SQLite does")
    func asciiFolding() {
        #expect(SchemaObject.canonicalName("ÉTÉ_Table") == "ÉtÉ_table")
        #expect(ObjectKey(kind: .table, name: "Threads") == ObjectKey(kind: .table, name: "THREADS"))
    }
}
