-- Denormalized item count so the sidebar doesn't aggregate thread_items.
-- Maintained by the app; existing rows are backfilled in 0033.
ALTER TABLE threads ADD COLUMN item_count INTEGER NOT NULL DEFAULT 0
    CHECK (item_count >= 0);
