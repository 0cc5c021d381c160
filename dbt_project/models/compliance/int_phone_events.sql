-- The consent ledger: every event that bears on contacting a number, one row each, so the
-- state at any as-of is a query over events on or before it (the later event wins).
with consents as (
    select * from {{ ref('stg_consents') }} where phone_e164 is not null
),

consent_given as (
    select phone_e164, consented_at as event_at, 'consent_given' as event_type, scope as detail,
        caller_entity, consented_at::date as consent_date, source_file, source_line
    from consents
),

consent_revoked as (
    -- A revocation revokes its own consent even when dated before it; one that is written but
    -- unreadable takes effect with the consent itself. (Ties go to the revocation.)
    select phone_e164, greatest(coalesce(revoked_at, consented_at), consented_at) as event_at,
        'consent_revoked' as event_type, scope as detail,
        caller_entity, consented_at::date as consent_date, source_file, source_line
    from consents
    where revoked_at is not null or has_unreadable_revocation
),

run as (
    select * from {{ ref('int_run') }}
),

-- ActBlue's Text Message Opt In and Mobilize's OPT_IN (every one the ledger holds) are SMS consents to the campaign that
-- collected them (the configured caller entity). They are valid only once an RND answer
-- clears them, like any other consent.
donor_sms_consents as (
    select donations.phone_e164, donations.donated_at as event_at, 'consent_given' as event_type, 'sms' as detail,
        run.caller_entity, donations.donated_at::date as consent_date, donations.source_file, donations.source_line
    from {{ ref('stg_donor_sms') }} as donations
    cross join run
    where donations.text_message_opt_in and donations.phone_e164 is not null
),

volunteer_sms_consents as (
    select volunteers.phone_e164, volunteers.modified_at as event_at, 'consent_given' as event_type, 'sms' as detail,
        run.caller_entity, volunteers.modified_at::date as consent_date, volunteers.source_file, volunteers.source_line
    from {{ ref('stg_volunteer_sms') }} as volunteers
    cross join run
    where volunteers.sms_opt_in_status = 'OPT_IN' and volunteers.phone_e164 is not null
),

opt_outs as (
    select phone_e164, received_at as event_at, 'opt_out' as event_type, rule_id as detail,
        null as caller_entity, null::date as consent_date, source_file, source_line
    from {{ ref('int_opt_outs') }}
),

rnd_answers as (
    select phone_e164, queried_at as event_at, 'rnd_answer' as event_type, result as detail,
        null as caller_entity, consent_date, source_file, source_line
    from {{ ref('stg_rnd') }}
    where phone_e164 is not null
),

line_type_checks as (
    -- Fail closed: an answer whose time cannot be read may be the newest, and what it says
    -- cannot be placed in time, so it is the answer `unknown` at as-of.
    select
        line_types.phone_e164,
        coalesce(line_types.checked_at, run.as_of) as event_at,
        'line_type_check' as event_type,
        case when line_types.checked_at is null then 'unknown' else line_types.line_type end as detail,
        null as caller_entity,
        null::date as consent_date,
        line_types.source_file,
        line_types.source_line
    from {{ ref('stg_line_types') }} as line_types
    cross join run
    where line_types.phone_e164 is not null
),

unreadable_lines as (
    -- Fail closed (C07): an unreadable line is read at as-of, later than anything it could
    -- undo. One of consents/ may be a revocation: it revokes every consent of its numbers.
    -- One of line_types/ may be a newer answer: `unknown` (counted as wireless). One of rnd/
    -- may be a newer answer (`yes`: reassigned) for any consent date: `unreadable`, with no
    -- consent date, which int_consent_checks applies to every consent of the number.
    select
        quarantined.phone_e164,
        run.as_of as event_at,
        case quarantined.source
            when 'consents' then 'consent_revoked'
            when 'line_types' then 'line_type_check'
            else 'rnd_answer'
        end as event_type,
        case quarantined.source
            when 'consents' then 'all'
            when 'line_types' then 'unknown'
            else 'unreadable'
        end as detail,
        case when quarantined.source = 'consents' then run.caller_entity end as caller_entity,
        null::date as consent_date,
        quarantined.source_file,
        quarantined.source_line
    from {{ ref('int_quarantined_numbers') }} as quarantined
    cross join run
    where quarantined.source in ('consents', 'line_types', 'rnd')
),

dispositions as (
    select phone_e164, attempted_at as event_at, 'disposition' as event_type, disposition as detail,
        caller_entity, null::date as consent_date, source_file, source_line
    from {{ ref('stg_contact_history') }}
    where phone_e164 is not null
),

prerecorded_calls as (
    select phone_e164, attempted_at as event_at, 'prerecorded_call' as event_type, channel as detail,
        caller_entity, null::date as consent_date, source_file, source_line
    from {{ ref('stg_contact_history') }}
    where phone_e164 is not null and channel like 'prerecorded%'
)

select * from consent_given
union all select * from consent_revoked
union all select * from donor_sms_consents
union all select * from volunteer_sms_consents
union all select * from opt_outs
union all select * from rnd_answers
union all select * from line_type_checks
union all select * from unreadable_lines
union all select * from dispositions
union all select * from prerecorded_calls
