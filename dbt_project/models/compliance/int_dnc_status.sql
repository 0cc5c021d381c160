-- Numbers on each do-not-call list at as-of: the newest full snapshot, then later change
-- lists applied in date order so a later deletion removes an earlier addition.
with entries as (
    select * from {{ ref('stg_dnc_entries') }}
),

run as (
    select * from {{ ref('int_run') }}
),

usable as (
    select entries.*
    from entries
    cross join run
    where entries.snapshot_date <= run.as_of::date and entries.phone_e164 is not null
),

newest_full as (
    select dnc_list, max(snapshot_date) as full_snapshot_date
    from usable
    where file_kind = 'full'
    group by dnc_list
),

events as (
    select usable.*
    from usable
    left join newest_full using (dnc_list)
    where (usable.file_kind = 'full' and usable.snapshot_date = newest_full.full_snapshot_date)
       or (usable.file_kind = 'changes' and usable.snapshot_date > coalesce(newest_full.full_snapshot_date, date '0001-01-01'))
),

final as (
    select
        dnc_list,
        phone_e164,
        {{ arg_max_of('action', "(snapshot_date, file_kind = 'changes', source_file, source_line)") }} = 'A' as is_listed
    from events
    group by dnc_list, phone_e164
)

select * from final where is_listed
