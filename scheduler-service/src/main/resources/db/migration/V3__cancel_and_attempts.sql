-- Outbox rows are training commands (to trainyard.commands) or control signals (to trainyard.control, fanout);
-- run_id of a control row is the experiment's id when the signal covers the whole experiment.
alter table outbox add column kind varchar(16) not null default 'COMMAND';

-- Each attempt of a run: which trainer, where it started, where it got to and how it ended.
create table run_attempt (
    run_id             uuid        not null references run (id),
    attempt            integer     not null,
    trainer            varchar(255),
    started_at         timestamp(6) with time zone,
    start_epoch        integer,
    resumed_from_epoch integer,
    last_epoch         integer     not null,
    ended_at           timestamp(6) with time zone,
    -- RUNNING until it ends: SUCCEEDED, FAILED, CANCELLED, RELEASED (drain or segment), INTERRUPTED (a later
    -- attempt started without this one saying it ended: a crash, a kill, a lost connection)
    outcome            varchar(16) not null,
    detail             text,
    primary key (run_id, attempt)
);
