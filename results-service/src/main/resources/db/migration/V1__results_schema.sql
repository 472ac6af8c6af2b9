-- Schema of the results service. Flyway owns it; Hibernate only validates its entities against it.

-- Every run event once. Redeliveries and re-publications of the same event hit the unique key and are
-- dropped by "insert ... on conflict do nothing". epoch is the event's position in the run: startEpoch for
-- run.started, epoch for run.progress and run.checkpointed, epochs for run.completed, 0 for run.failed.
create table run_event (
    id            bigint generated always as identity primary key,
    run_id        uuid        not null,
    experiment_id uuid        not null,
    attempt       integer     not null,
    sequence      bigint      not null,
    epoch         integer     not null,
    kind          text        not null,
    trainer       text,
    occurred_at   timestamptz not null,
    received_at   timestamptz not null default now(),
    -- the message as received, so fields this build does not know yet are kept
    payload       jsonb       not null,
    constraint run_event_key unique (run_id, attempt, epoch, kind)
);
create index run_event_experiment_idx on run_event (experiment_id);

-- Per-epoch losses for learning curves (REST and Grafana's PostgreSQL data source). A resumed attempt
-- trains some epochs again, so the attempt is part of the key; a curve takes the newest attempt per epoch.
create table run_progress (
    run_id          uuid             not null,
    attempt         integer          not null,
    epoch           integer          not null,
    experiment_id   uuid             not null,
    epochs          integer          not null,
    train_loss      double precision not null,
    validation_loss double precision not null,
    epoch_seconds   double precision not null,
    occurred_at     timestamptz      not null,
    primary key (run_id, attempt, epoch)
);
create index run_progress_experiment_idx on run_progress (experiment_id);

-- The final result of a run, one row per run: the first run.completed wins, a duplicate or a
-- re-announcement (possibly by a later attempt) changes nothing.
create table run_result (
    run_id          uuid        primary key,
    experiment_id   uuid        not null,
    partition_value text,
    attempt         integer     not null,
    epochs          integer     not null,
    model_location  text,
    completed_at    timestamptz not null,
    recorded_at     timestamptz not null default now()
);
create index run_result_experiment_idx on run_result (experiment_id);

-- One row per final metric, so aggregates are plain SQL (avg/min/max ... group by name).
create table run_metric (
    run_id        uuid             not null references run_result (run_id),
    experiment_id uuid             not null,
    name          text             not null,
    value         double precision not null,
    primary key (run_id, name)
);
create index run_metric_experiment_idx on run_metric (experiment_id, name);

-- Where each run is, from the newest event by (attempt, sequence); SUCCEEDED is final.
create table run_status (
    run_id          uuid        primary key,
    experiment_id   uuid        not null,
    status          text        not null check (status in ('RUNNING', 'SUCCEEDED', 'FAILED')),
    reason          text,
    partition_value text,
    attempt         integer     not null,
    sequence        bigint      not null,
    epoch           integer,
    epochs          integer,
    updated_at      timestamptz not null
);
create index run_status_experiment_idx on run_status (experiment_id);

-- When each experiment last had an event: the metrics endpoint exports only recent experiments.
create table experiment_activity (
    experiment_id  uuid        primary key,
    first_event_at timestamptz not null,
    last_event_at  timestamptz not null
);
create index experiment_activity_last_idx on experiment_activity (last_event_at);
