-- Core table: one row per conversation thread. The rollout file on disk is
-- the source of truth; this table is an index over it for the sidebar.
-- rollout_path is intentionally NOT unique: "one thread per rollout" is an
-- app-level invariant and legacy imports may hold duplicates to be repaired.
CREATE TABLE threads (
    id           TEXT PRIMARY KEY NOT NULL,
    rollout_path TEXT NOT NULL,
    created_at   INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
    updated_at   INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
    title        TEXT,
    archived     INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    model        TEXT,
    cwd          TEXT NOT NULL DEFAULT ''
);

-- Sidebar lists most recently touched threads first.
CREATE INDEX threads_updated_at_idx ON threads (updated_at DESC);
