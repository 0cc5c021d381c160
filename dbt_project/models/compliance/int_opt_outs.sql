-- Every opt-out in force at as-of, whatever its channel (R09), from files, classified
-- inbound SMS (R11), Mobilize people who opted out of texts, consent revocations for the
-- caller entity, and quarantined suppression lines and Mobilize records that hold a valid
-- number (C07).
with run as (
    select * from {{ ref('int_run') }}
),

file_opt_outs as (
    select phone_e164, received_at, 'R09' as rule_id, source_file, source_line
    from {{ ref('stg_opt_outs') }}
),

sms_opt_outs as (
    select phone_e164, received_at, 'R11' as rule_id, source_file, source_line
    from {{ ref('int_sms_classified') }}
    -- Replies that only look close are suppressed too until a person has read them (R11).
    where classification in ('opt_out', 'review')
),

mobilize_opt_outs as (
    -- Every OPT_OUT status the ledger ever read, not only an attendance's latest version.
    select phone_e164, modified_at as received_at, 'R09' as rule_id, source_file, source_line
    from {{ ref('stg_volunteer_sms') }}
    where sms_opt_in_status = 'OPT_OUT'
),

quarantine_opt_outs as (
    -- C07: an unreadable line of a suppression source (a Mobilize record carries the person's
    -- SMS status; a survey answer's phone field when the answer asks not to be contacted or
    -- names a wrong number) suppresses every valid number it holds, whatever its date.
    select
        phone_e164,
        -- In force from the moment the line was read, whatever date it holds.
        null::{{ type_instant() }} as received_at,
        'C07' as rule_id,
        source_file,
        source_line
    from {{ ref('int_quarantined_numbers') }}
    where source in ('opt_outs', 'inbound_sms', 'contact_history', 'volunteers', 'surveys')
),

consent_events as (
    -- The consents and revocations of consents/ (int_events_consents), taken for the caller
    -- entity as int_consent_checks takes them, whatever their scope: a consent at a readable
    -- time on or before as-of; a revocation naming the entity or none, at as-of when it has
    -- no time. An unreadable consents/ line may be a revocation, at as-of (C07).
    select events.phone_e164, events.event_at, false as is_revocation, 'R09' as rule_id,
        events.source_file, events.source_line
    from {{ ref('int_events_consents') }} as events
    cross join run
    where events.event_type = 'consent_given'
      and events.event_at <= run.as_of
      and lower(trim(events.caller_entity)) = lower(trim(run.caller_entity))
      and events.detail in ('prerecorded_voice', 'autodialed_voice', 'sms', 'all')
    union all
    select events.phone_e164, coalesce(events.event_at, run.as_of), true, 'R09', events.source_file, events.source_line
    from {{ ref('int_events_consents') }} as events
    cross join run
    where events.event_type = 'consent_revoked'
      and {{ revocation_names_caller('events.caller_entity', 'run.caller_entity') }}
    union all
    select quarantined.phone_e164, run.as_of, true, 'C07', quarantined.source_file, quarantined.source_line
    from {{ ref('int_quarantined_numbers') }} as quarantined
    cross join run
    where quarantined.source = 'consents'
),

latest_consent_events as (
    -- On a tie the revocation wins.
    {%- set newest = "(event_at, is_revocation, source_file, source_line)" %}
    select
        consent_events.phone_e164,
        {{ arg_max_of('consent_events.is_revocation', newest) }} as is_revocation,
        {{ arg_max_of('consent_events.event_at', newest) }} as event_at,
        {{ arg_max_of('consent_events.rule_id', newest) }} as rule_id,
        {{ arg_max_of('consent_events.source_file', newest) }} as source_file,
        {{ arg_max_of('consent_events.source_line', newest) }} as source_line
    from consent_events
    cross join run
    where consent_events.phone_e164 is not null and consent_events.event_at <= run.as_of
    group by consent_events.phone_e164
),

revocation_opt_outs as (
    -- R09: an opt-out is any revocation for the caller entity (compliance.md section 7), on
    -- every channel and whatever scope it names (FCC 24-24's revoke-all: until the person says
    -- otherwise, it covers all), while no newer consent of the number for the entity follows.
    select phone_e164, event_at as received_at, rule_id, source_file, source_line
    from latest_consent_events
    where is_revocation
),

unioned as (
    select * from file_opt_outs
    union all
    select * from sms_opt_outs
    union all
    select * from mobilize_opt_outs
    union all
    select * from quarantine_opt_outs
    union all
    select * from revocation_opt_outs
),

final as (
    select unioned.*
    from unioned
    cross join run
    -- An opt-out whose time cannot be read counts: when in doubt, do not contact.
    where unioned.phone_e164 is not null
      and (unioned.received_at is null or unioned.received_at <= run.as_of)
)

select * from final
