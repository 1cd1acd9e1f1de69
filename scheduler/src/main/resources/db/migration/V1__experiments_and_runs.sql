-- Experiments as submitted (canonical JSON), their runs, and each run's history as executors reported it.
CREATE TABLE experiment (
    name        VARCHAR(63) PRIMARY KEY,
    document    TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE run (
    id          UUID PRIMARY KEY,
    experiment  VARCHAR(63) NOT NULL,
    trigger     VARCHAR(16) NOT NULL,
    fire_time   TIMESTAMPTZ NOT NULL,
    deadline    TIMESTAMPTZ NOT NULL,
    status      VARCHAR(16) NOT NULL,
    reason      TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    -- one fire time is one run
    CONSTRAINT run_experiment_fire_time UNIQUE (experiment, fire_time)
);
CREATE INDEX run_experiment_status ON run (experiment, status);

CREATE TABLE run_event (
    id          BIGSERIAL PRIMARY KEY,
    run_id      UUID        NOT NULL REFERENCES run (id) ON DELETE CASCADE,
    phase       VARCHAR(16) NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    executor    VARCHAR(255) NOT NULL,
    message     TEXT        NOT NULL,
    detail      TEXT,
    recorded_at TIMESTAMPTZ NOT NULL,
    -- at-least-once delivery records each step once
    CONSTRAINT run_event_run_phase UNIQUE (run_id, phase)
);
