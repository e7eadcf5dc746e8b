-- Align the column name with the API field ("content").
ALTER TABLE memories RENAME COLUMN body TO content;
