-- Who owns each experiment and who else may read it, as the run events carry them (copied by the trainer from the
-- scheduler's commands). Null for experiments whose events carry none (from before owners existed): those stay
-- readable by everyone, as in the scheduler.
alter table experiment_activity add column owner text;
alter table experiment_activity add column visibility text;
