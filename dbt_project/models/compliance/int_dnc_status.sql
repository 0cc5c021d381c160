-- Numbers on each do-not-call list at as-of: the newest full snapshot, then later change
-- lists applied in date order so a later deletion removes an earlier addition. Snapshots are
-- dated by day, so only the as-of's day is read (int_run_day): a later run on the same day
-- reuses this model.
with entries as (
    select * from {{ ref('stg_dnc_entries') }}
),

run as (
    select * from {{ ref('int_run_day') }}
),

usable as (
    select entries.*
    from entries
    cross join run
    where entries.snapshot_date <= run.as_of_date and entries.phone_e164 is not null
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

read_lines as (
    select
        dnc_list,
        phone_e164,
        {{ arg_max_of('action', "(snapshot_date, file_kind = 'changes', source_file, source_line)") }} = 'A' as is_listed
    from events
    group by dnc_list, phone_e164
),

known_lists as (
    select dnc_list from entries
    union
    select 'federal' as dnc_list
    union
    select state as dnc_list from {{ source('config', 'state_rules') }}
),

unreadable_lines as (
    -- Fail closed: a number in an unreadable do-not-call line, whichever list, snapshot or
    -- action it was, counts as listed on every list (a later deletion cannot be read either).
    select known_lists.dnc_list, quarantined.phone_e164, true as is_listed
    from {{ ref('int_quarantined_numbers') }} as quarantined
    cross join known_lists
    where quarantined.source = 'dnc'
),

final as (
    select * from read_lines where is_listed
    union
    select * from unreadable_lines
)

select * from final
