-- Track which provider served the model (openai, azure, ollama, ...).
-- Nullable for now: existing rows predate multi-provider support.
ALTER TABLE threads ADD COLUMN model_provider TEXT;
