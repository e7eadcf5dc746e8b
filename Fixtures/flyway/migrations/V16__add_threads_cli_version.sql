-- Version of the agent that wrote the rollout, for format migrations.
ALTER TABLE threads ADD COLUMN cli_version TEXT NOT NULL DEFAULT '';
