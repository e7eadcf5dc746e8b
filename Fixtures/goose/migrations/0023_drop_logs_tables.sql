-- +goose Up
-- +goose StatementBegin
-- Logs moved to a separate rotating file next to the database; the tables
-- only grew. Drop the child table first so no FK work is needed.
DROP TABLE logs;
DROP TABLE log_spans;
-- +goose StatementEnd

-- +goose Down
SELECT 'not reversible';
