-- Indexes for the tracking API, shaped after its queries so that an experiment with 10,000 runs answers fast.

-- Pages of results and the per-partition table walk an experiment's results in (partition, run) order:
-- the index gives that order without a sort (btree ascending order already puts nulls last).
create index run_result_experiment_partition_idx on run_result (experiment_id, partition_value, run_id);
drop index run_result_experiment_idx;

-- Aggregates, percentiles and the best run read one metric of one experiment in value order; with the value in
-- the index they are index-only scans that need no sort.
create index run_metric_experiment_value_idx on run_metric (experiment_id, name, value);
drop index run_metric_experiment_idx;

-- A run's attempts are its run.started events; the unique key (run_id, attempt, epoch, kind) already finds a
-- run's events by run_id, and run_progress's primary key (run_id, attempt, epoch) its curve.
