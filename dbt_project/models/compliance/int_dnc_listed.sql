-- Numbers on each do-not-call list at as-of: the newest full snapshot, then later change
-- lists applied in date order so a later deletion removes an earlier addition. Snapshots are
-- dated by day, so only the as-of's day is read (int_run_day). It reads nothing else: a run
-- whose new files are of other families (opt-outs, replies) reuses it, and so does a later
-- run on the same day. int_dnc_status adds the numbers of unreadable lines.
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
)

select * from read_lines where is_listed
