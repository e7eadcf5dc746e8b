-- Case-insensitive title prefix lookups from the command palette use
-- lower(title) LIKE ?, so index the expression itself.
CREATE INDEX threads_title_lower_idx ON threads (lower(title));
