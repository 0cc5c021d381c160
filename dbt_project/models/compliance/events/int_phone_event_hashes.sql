-- Per number, a sum of the hashes of its events: what int_phone_facts and int_phone_evidence
-- compare to find the numbers whose events changed (macros/number_delta.sql). Each event is
-- hashed with the outcome of the time tests those models make of it at the as-of (in effect;
-- for a prerecorded call, in the cap window), so a later as-of changes the hash of the numbers
-- whose events crossed a threshold, and only theirs. A view: each reads it once per delta
-- build, and engine-specific hashes are no table to compare. (Grouped by the expression:
-- Spark refuses a star beside GROUP BY 1.)
{{ config(materialized='view') }}

with run as (
    select * from {{ ref('int_run') }}
),

cap_window as (
    -- As int_phone_facts and int_phone_evidence: the widest cap window of the policy.
    select max(cap_days) as cap_days from {{ source('config', 'channels') }}
),

timed as (
    select
        events.*,
        events.event_at is null or events.event_at <= run.as_of as in_effect,
        case when events.event_type = 'prerecorded_call'
            then events.event_at is null or events.event_at >= run.as_of - {{ interval_days('coalesce(cap_window.cap_days, 0)') }}
        end as in_cap_window
    from {{ ref('int_phone_events') }} as events
    cross join run
    cross join cap_window
)

select coalesce(phone_e164, '') as phone_e164, {{ summed_row_hash('timed') }} as events_hash
from timed
group by coalesce(phone_e164, '')
