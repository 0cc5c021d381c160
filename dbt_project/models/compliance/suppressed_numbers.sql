-- Every number that some ledger event suppresses on every channel, WHATEVER ITS TIME (unlike
-- int_opt_outs, which keeps those in force at as-of). A run writes it to
-- HOME/ledger/suppressed_numbers.parquet for the API's live suppression: a list blocked in a
-- later run keeps serving an older version, and that version must not reach a number the
-- ledger has since learned to suppress. One row per number and rule.
with events as (
    select phone_e164, received_at as event_at, 'R09' as rule_id
    from {{ ref('stg_opt_outs') }}

    union all
    -- Replies that only look close are suppressed too until a person has read them (R11).
    select phone_e164, received_at, 'R11'
    from {{ ref('int_sms_classified') }}
    where classification in ('opt_out', 'review')

    union all
    select phone_e164, modified_at, 'R09'
    from {{ ref('stg_volunteer_sms') }}
    where sms_opt_in_status = 'OPT_OUT'

    union all
    select phone_e164, attempted_at, case when disposition = 'wrong_number' then 'R28' else 'R09' end
    from {{ ref('stg_contact_history') }}
    where disposition in ('wrong_number', 'do_not_call')

    union all
    -- Survey answers in a dialer's words for a disposition (the inbox's and the ledger's).
    select phone_e164, event_at, case when event_type = 'disposition' then 'R28' else 'R09' end
    from {{ ref('int_events_surveys') }}

    union all
    -- Every opt-out in force at as-of: C07 lines are in force whatever their date, so
    -- int_opt_outs holds every one, and a consent revocation counts while no newer consent
    -- follows it, which only int_opt_outs decides. The rest repeats the events above.
    select phone_e164, received_at, rule_id
    from {{ ref('int_opt_outs') }}
)

select phone_e164, rule_id, min(event_at) as event_at
from events
where phone_e164 is not null
group by phone_e164, rule_id
