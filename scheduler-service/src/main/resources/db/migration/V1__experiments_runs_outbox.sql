-- Experiments, their runs and the outbox of commands (owned by Flyway; Hibernate only validates).

create table experiment (
    id           uuid primary key,
    name         varchar(100) not null,
    dataset      varchar(64)  not null,
    partition_by varchar(255),
    model_kind   varchar(100) not null,
    pool         varchar(100) not null,
    spec         text         not null,
    run_count    integer      not null,
    created_at   timestamp(6) with time zone not null
);

create index experiment_created_at on experiment (created_at);

create table run (
    id                 uuid primary key,
    experiment_id      uuid        not null references experiment (id),
    partition_value    varchar(255),
    state              varchar(16) not null,
    epoch              integer     not null,
    epochs             integer     not null,
    attempts           integer     not null,
    last_attempt       integer     not null,
    last_sequence      bigint      not null,
    resumed_from_epoch integer,
    trainer            varchar(255),
    reason             text,
    created_at         timestamp(6) with time zone not null,
    queued_at          timestamp(6) with time zone,
    started_at         timestamp(6) with time zone,
    finished_at        timestamp(6) with time zone
);

-- Runs are read per experiment, ordered by partition.
create index run_experiment_partition on run (experiment_id, partition_value);

-- Pooled ids: Hibernate reserves 50 at a time, so a large fan-out inserts in batches.
create sequence outbox_seq increment by 50;

create table outbox (
    id          bigint primary key,
    run_id      uuid         not null,
    routing_key varchar(255) not null,
    payload     bytea        not null,
    created_at  timestamp(6) with time zone not null,
    sent_at     timestamp(6) with time zone,
    attempts    integer      not null,
    last_error  text
);

-- The relay only ever looks at unsent rows, oldest first.
create index outbox_unsent on outbox (id) where sent_at is null;
