-- Every attempt's disposition, each request not to be contacted again as an opt-out (R09),
-- and the prerecorded calls again as calls the cap counts (R13), from contact_history/. The largest family: it is rebuilt only when contact history changes.
with history as (
    select * from {{ ref('stg_contact_history') }} where phone_e164 is not null
),

dispositions as (
    select phone_e164, attempted_at as event_at, 'disposition' as event_type, disposition as detail,
        caller_entity, cast(null as date) as consent_date, source_file, source_line
    from history
),

do_not_call_requests as (
    -- A request not to be contacted, taken on a call or a text, is an opt-out (R09).
    select phone_e164, attempted_at as event_at, 'opt_out' as event_type, 'R09' as detail,
        cast(null as string) as caller_entity, cast(null as date) as consent_date, source_file, source_line
    from history
    where disposition = 'do_not_call'
),

prerecorded_calls as (
    select phone_e164, attempted_at as event_at, 'prerecorded_call' as event_type, channel as detail,
        caller_entity, cast(null as date) as consent_date, source_file, source_line
    from history
    -- A prerecorded channel in a dialer's own words, or one that cannot be placed (R13).
    where {{ is_prerecorded_channel('channel') }}
)

select * from dispositions
union all select * from do_not_call_requests
union all select * from prerecorded_calls
