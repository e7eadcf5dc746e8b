-- The protocol now calls these "items"; rename the table to match.
ALTER TABLE thread_events RENAME TO thread_items;

-- Index names don't follow a table rename; recreate under the new name.
DROP INDEX thread_events_thread_seq_idx;
CREATE UNIQUE INDEX thread_items_thread_seq_idx ON thread_items (thread_id, seq);
