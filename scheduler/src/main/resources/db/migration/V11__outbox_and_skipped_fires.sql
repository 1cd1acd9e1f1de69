-- The transactional outbox: an event is written in the same transaction as the run it belongs to, then published
-- (acks=all) and marked sent. A row still unsent after a while is taken over by any replica's relay.
CREATE TABLE outbox (
    id          BIGSERIAL PRIMARY KEY,
    event_type  VARCHAR(64) NOT NULL,   -- the CloudEvents type (schemas' EventType)
    record_key  VARCHAR(64) NOT NULL,
    payload     BYTEA       NOT NULL,
    fire_time   TIMESTAMPTZ,            -- the cron fire time of a run-start (fire lag is measured from it)
    created_at  TIMESTAMPTZ NOT NULL,
    attempts    INT         NOT NULL DEFAULT 0,
    claimed_at  TIMESTAMPTZ,
    sent_at     TIMESTAMPTZ
);
CREATE INDEX outbox_unsent ON outbox (created_at) WHERE sent_at IS NULL;

-- Cron fire times that started no run, and why (missed beyond the starting deadline, Forbid, suspended, ...).
CREATE TABLE skipped_fire (
    experiment  VARCHAR(63) NOT NULL,
    fire_time   TIMESTAMPTZ NOT NULL,
    reason      VARCHAR(32) NOT NULL,
    detail      TEXT        NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (experiment, fire_time)
);
