-- Data-only: populate item_count (added in 0032) for existing threads.
UPDATE threads
SET item_count = (
    SELECT COUNT(*) FROM thread_items WHERE thread_items.thread_id = threads.id
)
WHERE EXISTS (
    SELECT 1 FROM thread_items WHERE thread_items.thread_id = threads.id
);
