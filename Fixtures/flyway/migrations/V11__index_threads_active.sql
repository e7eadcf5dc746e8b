-- The default sidebar hides archived threads; index only the live ones.
CREATE INDEX threads_active_updated_idx ON threads (updated_at DESC) WHERE archived = 0;
