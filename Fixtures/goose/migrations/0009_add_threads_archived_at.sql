-- +goose Up
-- +goose StatementBegin
-- When a thread was archived, for "recently archived" and auto-purge.
ALTER TABLE threads ADD COLUMN archived_at INTEGER;
-- +goose StatementEnd

-- +goose Down
SELECT 'not reversible';
