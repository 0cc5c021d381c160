-- Mobilize sign-ups per person: shifts attended, no-shows (a past shift signed up for,
-- not cancelled, not attended), upcoming shifts.
with attendances as (
    select * from {{ ref('stg_volunteers') }}
),

crosswalk as (
    select * from {{ ref('int_person_crosswalk') }} where source = 'mobilize'
),

run as (
    select * from {{ ref('int_run') }}
),

final as (
    select
        crosswalk.person_id as contact_id,
        count(*) filter (where attendances.status <> 'CANCELLED') as signups,
        count(*) filter (where attendances.attended) as shifts_attended,
        count(*) filter (where attendances.status <> 'CANCELLED' and attendances.timeslot_start < run.as_of
                           and not coalesce(attendances.attended, false)) as no_shows,
        count(*) filter (where attendances.status <> 'CANCELLED' and attendances.timeslot_start >= run.as_of)
            as upcoming_signups,
        count(*) filter (where attendances.status = 'CANCELLED') as cancellations,
        max(attendances.timeslot_start) filter (where attendances.attended) as last_attended_at,
        {{ arg_max_of('attendances.sms_opt_in_status', 'attendances.modified_at') }} as sms_opt_in_status
    from attendances
    inner join crosswalk on crosswalk.source_id = 'mobilize:' || attendances.person_id
    cross join run
    group by crosswalk.person_id
)

select * from final
