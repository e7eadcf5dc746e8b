-- The logs database: one row per log line, kept apart from the state database so it can be purged.
CREATE TABLE log_entries (
    id        INTEGER PRIMARY KEY,
    ts        INTEGER NOT NULL,
    level     TEXT NOT NULL CHECK (level IN ('trace', 'debug', 'info', 'warn', 'error')),
    target    TEXT NOT NULL,
    message   TEXT NOT NULL,
    thread_id TEXT
);

CREATE INDEX log_entries_ts_idx ON log_entries (ts);
