-- Consents in force at as-of for the configured caller entity (CONTRACT rule 4): per number
-- and scope, the latest consent or revocation event wins; the consent must then be cleared
-- by the latest RND answer for its date (R15, R16) and no wrong number may follow it (R28).
with events as (
    select * from {{ ref('int_phone_events') }}
),

run as (
    select * from {{ ref('int_run') }}
),

scopes as (
    select unnest(['prerecorded_voice', 'autodialed_voice', 'sms']) as scope
),

consent_events as (
    select events.*, scopes.scope as covered_scope
    from events
    cross join run
    inner join scopes on events.detail in (scopes.scope, 'all')
    where events.event_type in ('consent_given', 'consent_revoked')
      and lower(trim(events.caller_entity)) = lower(trim(run.caller_entity))
      and events.event_at <= run.as_of
),

latest as (
    -- On a tie a revocation wins: when in doubt, do not contact.
    select
        phone_e164,
        covered_scope as scope,
        arg_max(event_type, (event_at, event_type = 'consent_revoked')) as latest_event,
        arg_max(consent_date, (event_at, event_type = 'consent_revoked')) as consent_date,
        arg_max(event_at, (event_at, event_type = 'consent_revoked')) as consented_at,
        arg_max(source_file, (event_at, event_type = 'consent_revoked')) as source_file,
        arg_max(source_line, (event_at, event_type = 'consent_revoked')) as source_line
    from consent_events
    group by phone_e164, covered_scope
),

rnd as (
    select events.phone_e164, events.consent_date, arg_max(events.detail, events.event_at) as result
    from events
    cross join run
    where events.event_type = 'rnd_answer' and events.event_at <= run.as_of
    group by events.phone_e164, events.consent_date
),

final as (
    select latest.phone_e164, latest.scope, latest.consented_at, latest.source_file, latest.source_line
    from latest
    cross join run
    inner join rnd on rnd.phone_e164 = latest.phone_e164 and rnd.consent_date = latest.consent_date
    where latest.latest_event = 'consent_given'
      and rnd.result = 'no'
      and not exists (
          select 1 from events
          where events.phone_e164 = latest.phone_e164
            and events.event_type = 'disposition' and events.detail = 'wrong_number'
            and events.event_at >= latest.consented_at and events.event_at <= run.as_of
      )
)

select * from final
