-- Small key/value store for UI preferences. Keys are short strings, so a
-- clustered WITHOUT ROWID table avoids the extra rowid b-tree.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER))
) WITHOUT ROWID;
