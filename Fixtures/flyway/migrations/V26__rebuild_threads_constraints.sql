-- Rebuild threads to add table-level CHECKs and make model_provider NOT NULL,
-- which ALTER TABLE cannot do. Follows the 12-step procedure from SQLite's
-- ALTER TABLE docs; it runs outside sqlx's transaction because
-- PRAGMA foreign_keys is a no-op inside one.
PRAGMA foreign_keys = OFF;


-- The view references threads; drop it so the rename below can't trip over it.
DROP VIEW thread_list;

-- rollout_path stays non-unique (see 0001).
CREATE TABLE new_threads (
    id               TEXT PRIMARY KEY NOT NULL,
    rollout_path     TEXT NOT NULL,
    created_at       INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
    updated_at       INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
    title            TEXT,
    archived         INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    archived_at      INTEGER,
    model            TEXT,
    model_provider   TEXT NOT NULL DEFAULT 'openai',
    reasoning_effort TEXT CHECK (reasoning_effort IN ('minimal', 'low', 'medium', 'high')),
    cwd              TEXT NOT NULL DEFAULT '',
    source           TEXT NOT NULL DEFAULT 'cli' CHECK (source IN ('cli', 'vscode', 'exec', 'mcp', 'unknown')),
    cli_version      TEXT NOT NULL DEFAULT '',
    git_branch       TEXT,
    git_origin_url   TEXT,
    CHECK (updated_at >= created_at),
    CHECK ((archived = 1) = (archived_at IS NOT NULL))
);

-- Copy rows, repairing data the new CHECKs would reject: clock-skewed
-- updated_at, archived rows missing archived_at, stale archived_at on live rows.
INSERT INTO new_threads (
    id, rollout_path, created_at, updated_at, title, archived, archived_at,
    model, model_provider, reasoning_effort, cwd, source, cli_version,
    git_branch, git_origin_url
)
SELECT
    id, rollout_path, created_at, MAX(updated_at, created_at), title, archived,
    CASE WHEN archived = 1 THEN COALESCE(archived_at, MAX(updated_at, created_at)) END,
    model, COALESCE(model_provider, 'openai'), reasoning_effort, cwd, source, cli_version,
    git_branch, git_origin_url
FROM threads;

DROP TABLE threads;

ALTER TABLE new_threads RENAME TO threads;

-- Recreate indexes (0001, 0006, 0011, 0018, 0019).
CREATE INDEX threads_updated_at_idx ON threads (updated_at DESC);
CREATE INDEX threads_rollout_path_idx ON threads (rollout_path);
CREATE INDEX threads_active_updated_idx ON threads (updated_at DESC) WHERE archived = 0;
CREATE INDEX threads_title_lower_idx ON threads (lower(title));
CREATE INDEX threads_cwd_nocase_idx ON threads (cwd COLLATE NOCASE);

-- Recreate FTS sync triggers (0008). thread_search rows are untouched.
CREATE TRIGGER threads_search_ai AFTER INSERT ON threads BEGIN
    INSERT INTO thread_search (thread_id, title, cwd)
    VALUES (new.id, COALESCE(new.title, ''), new.cwd);
END;

CREATE TRIGGER threads_search_ad AFTER DELETE ON threads BEGIN
    DELETE FROM thread_search WHERE thread_id = old.id;
END;

CREATE TRIGGER threads_search_au AFTER UPDATE OF title, cwd ON threads BEGIN
    UPDATE thread_search
    SET title = COALESCE(new.title, ''), cwd = new.cwd
    WHERE thread_id = old.id;
END;

-- Recreate the view (0013).
CREATE VIEW thread_list AS
SELECT id, title, cwd, model, source, updated_at
FROM threads
WHERE archived = 0;

-- Children (thread_items, memories, jobs, thread_names) must still resolve.
PRAGMA foreign_key_check;


PRAGMA foreign_keys = ON;
