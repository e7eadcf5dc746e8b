-- FTS5 tables can't gain columns, so rebuild thread_search with a preview
-- column holding the first user message.
DROP TRIGGER threads_search_ai;
DROP TRIGGER threads_search_ad;
DROP TRIGGER threads_search_au;
DROP TABLE thread_search;

CREATE VIRTUAL TABLE thread_search USING fts5(
    thread_id UNINDEXED,
    title,
    cwd,
    preview,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO thread_search (thread_id, title, cwd, preview)
SELECT
    t.id,
    COALESCE(t.title, ''),
    t.cwd,
    COALESCE((
        SELECT json_extract(i.payload, '$.text')
        FROM thread_items AS i
        WHERE i.thread_id = t.id AND i.kind = 'user_message'
        ORDER BY i.seq
        LIMIT 1
    ), '')
FROM threads AS t;

CREATE TRIGGER threads_search_ai AFTER INSERT ON threads BEGIN
    INSERT INTO thread_search (thread_id, title, cwd, preview)
    VALUES (new.id, COALESCE(new.title, ''), new.cwd, '');
END;

CREATE TRIGGER threads_search_ad AFTER DELETE ON threads BEGIN
    DELETE FROM thread_search WHERE thread_id = old.id;
END;

CREATE TRIGGER threads_search_au AFTER UPDATE OF title, cwd ON threads BEGIN
    UPDATE thread_search
    SET title = COALESCE(new.title, ''), cwd = new.cwd
    WHERE thread_id = old.id;
END;

-- Fill the preview from the first user message as it arrives.
CREATE TRIGGER thread_items_search_ai AFTER INSERT ON thread_items
WHEN new.kind = 'user_message' BEGIN
    UPDATE thread_search
    SET preview = COALESCE(json_extract(new.payload, '$.text'), '')
    WHERE thread_id = new.thread_id AND preview = '';
END;
