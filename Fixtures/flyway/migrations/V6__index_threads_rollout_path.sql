-- Resume looks threads up by rollout file. Plain (non-unique) index on
-- purpose: duplicates are detected and repaired by the app, not rejected here.
CREATE INDEX threads_rollout_path_idx ON threads (rollout_path);
