-- Data-only: before 0021 sidebar renames were stored in settings under
-- 'thread_name:<thread id>'. Copy them into thread_names, skipping threads
-- that no longer exist and names already set through the new table. The old
-- keys are left in place; the app prunes them on next launch.
INSERT OR IGNORE INTO thread_names (thread_id, name, set_at)
SELECT t.id, trim(s.value), s.updated_at
FROM settings AS s
JOIN threads AS t ON t.id = substr(s.key, length('thread_name:') + 1)
WHERE s.key GLOB 'thread_name:*'
  AND length(trim(s.value)) > 0;
