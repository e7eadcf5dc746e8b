-- Revert 0015: drop the job queue. Pending jobs are discarded.
DROP INDEX jobs_queued_run_after_idx;
DROP TABLE jobs;
