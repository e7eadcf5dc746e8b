-- Aggregated usage per thread for the usage panel.
CREATE VIEW thread_usage AS
SELECT
    t.id                            AS thread_id,
    t.title                         AS title,
    COUNT(i.id)                     AS item_count,
    COALESCE(SUM(i.token_count), 0) AS total_tokens,
    MAX(i.created_at)               AS last_item_at
FROM threads AS t
LEFT JOIN thread_items AS i ON i.thread_id = t.id
GROUP BY t.id;
