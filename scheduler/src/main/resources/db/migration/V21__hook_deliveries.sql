-- CD post-deploy hooks: each accepted delivery once (its key is unique, so it holds across replicas), and the run
-- it asks for of each matched experiment, fired when its delay has passed.
CREATE TABLE hook_delivery (
    delivery     VARCHAR(300) PRIMARY KEY,
    body_sha256  VARCHAR(64)  NOT NULL,
    service      VARCHAR(255) NOT NULL,
    environment  VARCHAR(255),
    received_at  TIMESTAMPTZ  NOT NULL
);

CREATE TABLE hook_run (
    run_id      UUID         PRIMARY KEY,
    delivery    VARCHAR(300) NOT NULL REFERENCES hook_delivery (delivery),
    experiment  VARCHAR(63)  NOT NULL,
    due_at      TIMESTAMPTZ  NOT NULL,
    outcome     TEXT,
    fired_at    TIMESTAMPTZ,
    CONSTRAINT hook_run_delivery_experiment UNIQUE (delivery, experiment)
);
CREATE INDEX hook_run_pending ON hook_run (due_at) WHERE outcome IS NULL;
