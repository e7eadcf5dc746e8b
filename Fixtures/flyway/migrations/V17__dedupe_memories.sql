-- A sync bug saved some memories twice. Keep the oldest copy of each
-- (scope, project_root, thread_id, content) group. The scratch table is
-- dropped at the end, so this migration leaves the schema unchanged.
CREATE TABLE _memories_keep (id INTEGER PRIMARY KEY NOT NULL);

INSERT INTO _memories_keep (id)
SELECT MIN(id)
FROM memories
GROUP BY scope, project_root, thread_id, content;

DELETE FROM memories WHERE id NOT IN (SELECT id FROM _memories_keep);

DROP TABLE _memories_keep;
