-- Per number, a sum of the hashes of its events: what int_phone_facts and int_phone_evidence
-- compare to find the numbers whose events changed (macros/number_delta.sql). One scan of
-- the events for both.
select coalesce(phone_e164, '') as phone_e164, sum(hash(events)::hugeint) as events_hash
from {{ ref('int_phone_events') }} as events
group by 1
