-- "Threads in this folder": macOS and Windows paths compare case-insensitively.
CREATE INDEX threads_cwd_nocase_idx ON threads (cwd COLLATE NOCASE);
