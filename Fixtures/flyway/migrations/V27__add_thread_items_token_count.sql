-- Per-item token usage reported by the model, for the usage meter.
ALTER TABLE thread_items ADD COLUMN token_count INTEGER NOT NULL DEFAULT 0
    CHECK (token_count >= 0);
