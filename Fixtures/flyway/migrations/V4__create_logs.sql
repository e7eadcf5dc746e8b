-- Structured tracing output, persisted so bug reports can include it.
CREATE TABLE log_spans (
    id         INTEGER PRIMARY KEY,
    parent_id  INTEGER REFERENCES log_spans (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER
);

CREATE TABLE logs (
    id        INTEGER PRIMARY KEY,
    ts        INTEGER NOT NULL,
    level     TEXT NOT NULL CHECK (level IN ('trace', 'debug', 'info', 'warn', 'error')),
    target    TEXT NOT NULL,
    message   TEXT NOT NULL,
    thread_id TEXT,
    span_id   INTEGER REFERENCES log_spans (id) ON DELETE CASCADE
);

CREATE INDEX logs_ts_idx ON logs (ts);
-- Most log lines are not tied to a thread; keep the index small.
CREATE INDEX logs_thread_id_idx ON logs (thread_id) WHERE thread_id IS NOT NULL;
