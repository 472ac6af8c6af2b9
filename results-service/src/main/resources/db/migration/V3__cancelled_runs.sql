-- Runs can be cancelled (run.cancelled): a fourth status.
alter table run_status drop constraint run_status_status_check;
alter table run_status add constraint run_status_status_check
    check (status in ('RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'));
