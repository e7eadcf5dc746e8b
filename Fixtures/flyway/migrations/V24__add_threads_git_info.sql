-- Git context captured at thread start, shown in the thread header.
ALTER TABLE threads ADD COLUMN git_branch TEXT;
ALTER TABLE threads ADD COLUMN git_origin_url TEXT;
