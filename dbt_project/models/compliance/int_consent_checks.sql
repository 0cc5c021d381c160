-- Per number and consent scope, the consent that decides it (CONTRACT rule 4,
-- docs/compliance_defaults.md) and why it is or is not valid at dial time: the latest consent
-- or revocation event for the configured caller entity on or before as-of wins (a tie goes to
-- the revocation); it must then be cleared by the RND answer for its consent date (R15, R16):
-- answers queried on or before as-of and at most rnd_max_age_days before the scope's
-- expires_at, the latest winning and, on a tie, any answer other than `no` (an answer other
-- than `no` whose consent date or time cannot be read, or an unreadable rnd/ line, counts for
-- every consent of the number, at as-of when its time is unreadable: C07); a consent date
-- before rnd_consent_cutoff_date is no_data; and no wrong number may follow it (R28).
-- The scope's expires_at is the furthest dial time of the channels using it: as-of plus the
-- largest expires_hours among them.
with events as (
    select * from {{ ref('int_phone_events') }}
),

run as (
    select * from {{ ref('int_run') }}
),

channels as (
    select * from {{ source('config', 'channels') }}
),

scopes as (
    select {{ unnest_list(list_of(["'prerecorded_voice'", "'autodialed_voice'", "'sms'"])) }} as scope
),

scope_expiry as (
    select
        scopes.scope,
        run.as_of + {{ interval_hours('coalesce(max(channels.expires_hours), 0)') }} as expires_at
    from scopes
    cross join run
    left join channels on channels.consent_scope = scopes.scope
    group by scopes.scope, run.as_of
),

consent_events as (
    -- An event with an unreadable time is never evidence for contact (no consent); a
    -- revocation without one is in force at as-of. A consent names the caller entity (case and
    -- spacing aside); a revocation names it however punctuated, or names none.
    select
        {{ star_except('events', ['event_at']) }},
        case when events.event_type = 'consent_revoked' then coalesce(events.event_at, run.as_of)
             else events.event_at end as event_at,
        scopes.scope as covered_scope
    from events
    cross join run
    inner join scopes on events.detail in (scopes.scope, 'all')
    where (
            (events.event_type = 'consent_given'
             and lower(trim(events.caller_entity)) = lower(trim(run.caller_entity))
             and events.event_at <= run.as_of)
         or (events.event_type = 'consent_revoked'
             and {{ revocation_names_caller('events.caller_entity', 'run.caller_entity') }}
             and coalesce(events.event_at, run.as_of) <= run.as_of)
      )
),

latest as (
    -- On a tie a revocation wins: when in doubt, do not contact. The rest of the key keeps
    -- the choice independent of file and row order.
    select
        phone_e164,
        covered_scope as scope,
        {{ arg_max_of('event_type', "(event_at, event_type = 'consent_revoked', source_file, source_line)") }} as latest_event,
        {{ arg_max_of('consent_date', "(event_at, event_type = 'consent_revoked', source_file, source_line)") }} as consent_date,
        {{ arg_max_of('event_at', "(event_at, event_type = 'consent_revoked', source_file, source_line)") }} as consented_at,
        {{ arg_max_of('source_file', "(event_at, event_type = 'consent_revoked', source_file, source_line)") }} as source_file,
        {{ arg_max_of('source_line', "(event_at, event_type = 'consent_revoked', source_file, source_line)") }} as source_line
    from consent_events
    group by phone_e164, covered_scope
),

rnd_answers as (
    -- A `no` with an unreadable query time is no answer (it cannot clear a consent); any other
    -- answer with an unreadable time counts as queried at as-of (fail closed).
    select
        events.phone_e164,
        events.consent_date,
        events.detail,
        coalesce(events.event_at, run.as_of) as event_at,
        events.source_file,
        events.source_line
    from events
    cross join run
    where events.event_type = 'rnd_answer'
      and (events.event_at <= run.as_of or (events.event_at is null and events.detail is distinct from 'no'))
),

rnd as (
    -- R16: an answer queried more than rnd_max_age_days before expires_at is no answer. The
    -- latest answer wins; on a tie any answer other than `no` wins.
    select
        latest.phone_e164,
        latest.scope,
        {{ arg_max_of('rnd_answers.detail', "(rnd_answers.event_at, rnd_answers.detail is distinct from 'no', rnd_answers.detail, rnd_answers.source_file, rnd_answers.source_line)") }} as rnd_result,
        max(rnd_answers.event_at) as rnd_queried_at,
        {{ arg_max_of('rnd_answers.source_file', "(rnd_answers.event_at, rnd_answers.detail is distinct from 'no', rnd_answers.detail, rnd_answers.source_file, rnd_answers.source_line)") }} as rnd_source_file,
        {{ arg_max_of('rnd_answers.source_line', "(rnd_answers.event_at, rnd_answers.detail is distinct from 'no', rnd_answers.detail, rnd_answers.source_file, rnd_answers.source_line)") }} as rnd_source_line
    from latest
    cross join run
    inner join scope_expiry on scope_expiry.scope = latest.scope
    inner join rnd_answers
        on rnd_answers.phone_e164 = latest.phone_e164
       -- An answer other than `no` whose consent date cannot be read (or an unreadable rnd/
       -- line) may be the one for this consent: it counts for every consent of the number.
       and (rnd_answers.consent_date = latest.consent_date
            or (rnd_answers.consent_date is null and rnd_answers.detail is distinct from 'no'))
       and rnd_answers.event_at >= scope_expiry.expires_at - {{ interval_days('run.rnd_max_age_days') }}
    group by latest.phone_e164, latest.scope
),

wrong_numbers as (
    -- A wrong number whose time cannot be read counts as having happened (R28).
    select phone_e164, event_at
    from events
    cross join run
    where events.event_type = 'disposition' and events.detail = 'wrong_number'
      and (events.event_at is null or events.event_at <= run.as_of)
),

checked as (
    select
        latest.*,
        scope_expiry.expires_at,
        rnd.rnd_result,
        rnd.rnd_queried_at,
        rnd.rnd_source_file,
        rnd.rnd_source_line,
        exists (
            select 1 from wrong_numbers
            where wrong_numbers.phone_e164 = latest.phone_e164
              and (wrong_numbers.event_at is null or wrong_numbers.event_at >= latest.consented_at)
        ) as followed_by_wrong_number,
        latest.consent_date < run.rnd_consent_cutoff_date as before_rnd_cutoff
    from latest
    cross join run
    inner join scope_expiry on scope_expiry.scope = latest.scope
    left join rnd on rnd.phone_e164 = latest.phone_e164 and rnd.scope = latest.scope
),

reasoned as (
    select
        phone_e164,
        scope,
        latest_event,
        consented_at,
        consent_date,
        source_file,
        source_line,
        expires_at,
        rnd_result,
        rnd_queried_at,
        rnd_source_file,
        rnd_source_line,
        case
            when latest_event = 'consent_revoked' then 'revoked'
            when before_rnd_cutoff then 'consent_date_before_rnd_cutoff'
            when rnd_result is null then 'no_usable_rnd_answer'
            when rnd_result <> 'no' then 'rnd_' || rnd_result
            when followed_by_wrong_number then 'wrong_number_after_consent'
        end as invalid_reason
    from checked
),

final as (
    select *, invalid_reason is null as is_valid
    from reasoned
)

select * from final
