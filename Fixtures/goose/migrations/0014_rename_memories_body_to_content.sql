-- +goose Up
-- +goose StatementBegin
-- Align the column name with the API field ("content").
ALTER TABLE memories RENAME COLUMN body TO content;
-- +goose StatementEnd

-- +goose Down
SELECT 'not reversible';
