-- Who started and who stopped each run, and why it ended, as structured columns (never text sniffed for JSON).
ALTER TABLE run ADD COLUMN triggered_by VARCHAR(255);
ALTER TABLE run ADD COLUMN aborted_by VARCHAR(255);
ALTER TABLE run ADD COLUMN abort_requested_at TIMESTAMPTZ;
-- an AbortKind (auto-abort, manual, ...) or a StatusReason (blast-radius, ...) in its wire form
ALTER TABLE run ADD COLUMN reason_kind VARCHAR(32);
-- the abort's reason as the AbortReason event record, always JSON, when the run was aborted
ALTER TABLE run ADD COLUMN abort_reason TEXT;

-- Until V20 an abort's reason was stored as JSON in reason; split it into its parts.
UPDATE run SET abort_reason = reason WHERE reason LIKE '{%';
UPDATE run SET reason_kind = abort_reason::jsonb ->> 'kind', reason = abort_reason::jsonb ->> 'message'
    WHERE abort_reason IS NOT NULL;
UPDATE run SET triggered_by = lower(trigger) WHERE triggered_by IS NULL;
-- a run that ended at its deadline without an abort passed (see the scheduler's README for what PASSED means)
UPDATE run SET status = 'PASSED' WHERE status = 'COMPLETED';
CREATE INDEX run_fire_time ON run (fire_time);

-- Every version of every experiment: who changed what, and when.
CREATE TABLE experiment_version (
    experiment  VARCHAR(63)  NOT NULL,
    version     INTEGER      NOT NULL,
    change      VARCHAR(16)  NOT NULL,
    changed_by  VARCHAR(255) NOT NULL,
    changed_at  TIMESTAMPTZ  NOT NULL,
    -- JSON paths that differ from the previous version, as a JSON array
    changed_paths TEXT       NOT NULL,
    -- the document as of this version; null for a deletion
    document    TEXT,
    PRIMARY KEY (experiment, version)
);
INSERT INTO experiment_version (experiment, version, change, changed_by, changed_at, changed_paths, document)
SELECT name, 1, 'CREATED', 'unknown (before V20)', updated_at, '["$"]', document FROM experiment;

-- Halt-all and its releases, append-only: the latest row says whether a halt holds.
CREATE TABLE halt_event (
    id          BIGSERIAL    PRIMARY KEY,
    kind        VARCHAR(16)  NOT NULL,
    by_whom     VARCHAR(255) NOT NULL,
    reason      TEXT,
    at          TIMESTAMPTZ  NOT NULL
);
