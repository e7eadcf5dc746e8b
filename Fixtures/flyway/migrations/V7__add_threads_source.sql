-- Record which frontend started the thread. Existing rows came from the CLI.
ALTER TABLE threads ADD COLUMN source TEXT NOT NULL DEFAULT 'cli'
    CHECK (source IN ('cli', 'vscode', 'exec', 'mcp', 'unknown'));
