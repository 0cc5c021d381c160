-- Every attempt's disposition, and the prerecorded calls again as calls the cap counts (R13),
-- from contact_history/. The largest family: it is rebuilt only when contact history changes.
with history as (
    select * from {{ ref('stg_contact_history') }} where phone_e164 is not null
),

dispositions as (
    select phone_e164, attempted_at as event_at, 'disposition' as event_type, disposition as detail,
        caller_entity, cast(null as date) as consent_date, source_file, source_line
    from history
),

prerecorded_calls as (
    select phone_e164, attempted_at as event_at, 'prerecorded_call' as event_type, channel as detail,
        caller_entity, cast(null as date) as consent_date, source_file, source_line
    from history
    where channel like 'prerecorded%'
)

select * from dispositions
union all select * from prerecorded_calls
