-- Every do-not-call list a number can be on: federal, each list the dnc/ files name, and the
-- states of state_rules. An unreadable dnc/ line puts its numbers on all of them (C07).
with entries as (
    select dnc_list from {{ ref('stg_dnc_entries') }}
),

final as (
    select dnc_list from entries
    union
    select 'federal' as dnc_list
    union
    select state as dnc_list from {{ source('config', 'state_rules') }}
)

select * from final
