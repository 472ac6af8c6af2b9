-- Each run records the point of the experiment's search it trains: its resolved hyperparameters and training
-- settings (JSON), and the point's index, so that runs list in partition, then search order.

alter table run add column search_point    integer not null default 0;
alter table run add column hyperparameters text    not null default '{}';
alter table run add column training        text    not null default '{}';

drop index run_experiment_partition;
create index run_experiment_partition on run (experiment_id, partition_value, search_point);
