-- The as-of's UTC day (one row), for the models that read the day only: a later run on the
-- same day leaves them as they are (config.run_day, assets/run_config.py).
select * from {{ source('config', 'run_day') }}
