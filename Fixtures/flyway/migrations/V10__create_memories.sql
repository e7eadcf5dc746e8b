-- Long-lived notes the agent keeps across threads. STRICT so a stray REAL or
-- BLOB can't sneak into text columns from the embedding experiments.
CREATE TABLE memories (
    id           INTEGER PRIMARY KEY,
    scope        TEXT NOT NULL CHECK (scope IN ('global', 'project', 'thread')),
    project_root TEXT,
    thread_id    TEXT REFERENCES threads (id) ON DELETE CASCADE,
    body         TEXT NOT NULL CHECK (length(body) > 0),
    embedding    BLOB,
    created_at   INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
    updated_at   INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
    CHECK (scope <> 'project' OR project_root IS NOT NULL),
    CHECK (scope <> 'thread' OR thread_id IS NOT NULL)
) STRICT;

-- Project memories are looked up by root on every turn.
CREATE INDEX memories_project_root_idx ON memories (project_root) WHERE scope = 'project';
