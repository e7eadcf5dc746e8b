-- Full-text search over thread titles and working directories.
CREATE VIRTUAL TABLE thread_search USING fts5(
    thread_id UNINDEXED,
    title,
    cwd,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Seed the index from existing threads.
INSERT INTO thread_search (thread_id, title, cwd)
SELECT id, COALESCE(title, ''), cwd FROM threads;

-- Keep the index in sync with threads.
CREATE TRIGGER threads_search_ai AFTER INSERT ON threads BEGIN
    INSERT INTO thread_search (thread_id, title, cwd)
    VALUES (new.id, COALESCE(new.title, ''), new.cwd);
END;

CREATE TRIGGER threads_search_ad AFTER DELETE ON threads BEGIN
    DELETE FROM thread_search WHERE thread_id = old.id;
END;

CREATE TRIGGER threads_search_au AFTER UPDATE OF title, cwd ON threads BEGIN
    UPDATE thread_search
    SET title = COALESCE(new.title, ''), cwd = new.cwd
    WHERE thread_id = old.id;
END;
