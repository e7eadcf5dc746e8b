import GRDB

/// A reading-list app's database: twelve migrations, registered as the app registers them.
enum AppDatabase {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("createAuthor") { db in
            try db.create(table: "author") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
            }
        }
        migrator.registerMigration("createBook") { db in
            try db.create(table: "book") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("author", onDelete: .cascade).notNull()
                t.column("title", .text).notNull()
                t.column("isbn", .text)
            }
        }
        migrator.registerMigration("addBookPublishedYear") { db in
            try db.alter(table: "book") { t in t.add(column: "publishedYear", .integer) }
        }
        migrator.registerMigration("createShelf") { db in
            try db.create(table: "shelf") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique(onConflict: .ignore)
            }
        }
        migrator.registerMigration("createShelfBook") { db in
            try db.create(table: "shelfBook") { t in
                t.belongsTo("shelf", onDelete: .cascade).notNull()
                t.belongsTo("book", onDelete: .cascade).notNull()
                t.primaryKey(["shelfId", "bookId"])
            }
        }
        migrator.registerMigration("seedDefaultShelves") { db in
            // Data only: the schema cannot show it ran.
            try db.execute(sql: "INSERT INTO shelf (name) VALUES ('To read'), ('Reading'), ('Read')")
        }
        migrator.registerMigration("indexBookTitle") { db in
            try db.create(index: "book_on_title", on: "book", columns: ["title"])
        }
        migrator.registerMigration("createReadingSession") { db in
            try db.create(table: "readingSession") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("book", onDelete: .cascade).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("pages", .integer).notNull().defaults(to: 0)
            }
        }
        migrator.registerMigration("addBookRating") { db in
            try db.alter(table: "book") { t in
                t.add(column: "rating", .integer).check { $0 == nil || ($0 >= 1 && $0 <= 5) }
            }
        }
        migrator.registerMigration("createBookSearch") { db in
            try db.create(virtualTable: "bookSearch", using: FTS5()) { t in
                t.synchronize(withTable: "book")
                t.column("title")
            }
        }
        migrator.registerMigration("createNote") { db in
            try db.create(table: "note") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("book", onDelete: .cascade).notNull()
                t.column("text", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("createShelfSummaryView") { db in
            try db.execute(sql: """
                CREATE VIEW shelfSummary AS
                SELECT shelf.name, count(shelfBook.bookId) AS bookCount
                FROM shelf LEFT JOIN shelfBook ON shelfBook.shelfId = shelf.id GROUP BY shelf.id
                """)
        }
        return migrator
    }
}
