-- A survey or ID answer in a dialer's words for a disposition (macro disposition_kind: "Do Not
-- Call", "Remove me", "Wrong number", "Not this person") is that disposition: a request not to
-- be contacted is an opt-out (R09), a wrong number or the wrong person a wrong number (R28).
-- It counts for the number the row gives and, when it names an ncid, for the voter record's
-- number. The answers are the inbox's and the ledger's (stg_survey_answers: kept after their
-- file leaves the inbox). An answer dated after it was first read (a mistyped year) has no
-- time, and counts.
with read_answers as (
    -- An inbox row is being read now.
    select voter_key, phone_e164, response,
        case when collected_at > current_timestamp then null else collected_at end as collected_at,
        source_file, source_line
    from {{ ref('stg_surveys') }}
    union all
    select voter_key, phone_e164, response, collected_at, source_file, source_line
    from {{ ref('stg_survey_answers') }}
),

enums as (
    select *, {{ norm_enum('response') }} as response_enum
    from read_answers
    where response is not null
),

surveys as (
    select *, {{ disposition_kind('response_enum') }} as response_kind
    from enums
),

answers as (
    select
        voter_key,
        phone_e164,
        response_kind,
        collected_at,
        source_file,
        source_line
    from surveys
    where response_kind in ('wrong_number', 'do_not_call')
),

voters as (
    select voter_key, phone_e164 from {{ ref('stg_nc_voters') }}
    where phone_e164 is not null and voter_key in (select voter_key from answers)
),

numbers as (
    select phone_e164, response_kind, collected_at, source_file, source_line
    from answers
    where phone_e164 is not null
    union
    select voters.phone_e164, answers.response_kind, answers.collected_at, answers.source_file, answers.source_line
    from answers
    inner join voters on voters.voter_key = answers.voter_key
)

select
    phone_e164,
    collected_at as event_at,
    case when response_kind = 'wrong_number' then 'disposition' else 'opt_out' end as event_type,
    case when response_kind = 'wrong_number' then 'wrong_number' else 'R09' end as detail,
    cast(null as string) as caller_entity,
    cast(null as date) as consent_date,
    source_file,
    source_line
from numbers
