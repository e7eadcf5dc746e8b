-- Reasoning effort chosen for the thread; NULL means model default.
ALTER TABLE threads ADD COLUMN reasoning_effort TEXT
    CHECK (reasoning_effort IN ('minimal', 'low', 'medium', 'high'));
