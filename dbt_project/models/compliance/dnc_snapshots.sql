-- The newest snapshot of each do-not-call list on or before as-of (R20 freshness), in days:
-- only the as-of's day is read (int_run_day).
with entries as (
    select * from {{ ref('stg_dnc_entries') }}
),

run as (
    select * from {{ ref('int_run_day') }}
),

final as (
    select
        entries.dnc_list,
        max(entries.snapshot_date) as newest_snapshot_date,
        max(entries.snapshot_date) filter (where entries.file_kind = 'full') as newest_full_snapshot_date,
        {{ days_between('max(entries.snapshot_date)', 'run.as_of_date') }} as age_days
    from entries
    cross join run
    where entries.snapshot_date <= run.as_of_date
    group by entries.dnc_list, run.as_of_date
)

select * from final
