-- Remembered "always allow / never allow" decisions for shell commands,
-- scoped to a project.
CREATE TABLE command_approvals (
    id             INTEGER PRIMARY KEY,
    project_root   TEXT NOT NULL,
    command_prefix TEXT NOT NULL CHECK (length(command_prefix) > 0),
    decision       TEXT NOT NULL CHECK (decision IN ('allow', 'deny')),
    created_at     INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER))
) STRICT;

-- One decision per prefix per project; the app upserts on conflict.
CREATE UNIQUE INDEX command_approvals_project_prefix_idx
    ON command_approvals (project_root, command_prefix);
