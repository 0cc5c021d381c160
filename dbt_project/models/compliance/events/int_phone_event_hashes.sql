-- Per number, a sum of the hashes of its events: what int_phone_facts and int_phone_evidence
-- compare to find the numbers whose events changed (macros/number_delta.sql). A view: each
-- reads it once per delta build, and engine-specific hashes are no table to compare. (Grouped
-- by the expression: Spark refuses a star beside GROUP BY 1.)
{{ config(materialized='view') }}

select coalesce(phone_e164, '') as phone_e164, {{ summed_row_hash('events') }} as events_hash
from {{ ref('int_phone_events') }} as events
group by coalesce(phone_e164, '')
