-- Shape used by the sidebar query; keeps the column list in one place.
CREATE VIEW thread_list AS
SELECT id, title, cwd, model, source, updated_at
FROM threads
WHERE archived = 0;
