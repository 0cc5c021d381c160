-- The run's settings, one row, for cross joins.
select * from {{ source('config', 'run') }}
