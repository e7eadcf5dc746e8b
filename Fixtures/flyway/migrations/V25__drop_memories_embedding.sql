-- Embeddings live in a sidecar vector index now; this column was never
-- populated outside of experiments.
ALTER TABLE memories DROP COLUMN embedding;
