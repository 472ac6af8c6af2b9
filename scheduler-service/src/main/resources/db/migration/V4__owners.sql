-- Who submitted each experiment and who else may read it. Experiments submitted before owners existed keep no
-- owner and become 'shared': everyone could read them then, everyone still can (only an admin may cancel them).
alter table experiment add column owner varchar(100);
alter table experiment add column visibility varchar(16) not null default 'shared';
alter table experiment alter column visibility set default 'private';
alter table experiment add constraint experiment_visibility_check check (visibility in ('private', 'shared'));
-- A researcher's listing: their own experiments, then the shared ones.
create index experiment_owner_idx on experiment (owner, created_at desc);
