-- A run whose experiment has steadyState conditions passes only on the guardian's verdict that they held again after
-- its revert: it stays RUNNING from its revert until that verdict, or fails when none comes in time.
ALTER TABLE run ADD COLUMN verdict_wait_ms BIGINT;        -- how long after its revert to wait; null: nothing to judge
ALTER TABLE run ADD COLUMN reverted_at     TIMESTAMPTZ;   -- when the scheduler read its revert
ALTER TABLE run ADD COLUMN early_verdict   TEXT;          -- an after-revert verdict read before the revert (JSON)
CREATE INDEX run_awaiting_verdict ON run (reverted_at) WHERE status = 'RUNNING' AND reverted_at IS NOT NULL;
