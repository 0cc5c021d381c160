-- Numbers on each do-not-call list at as-of (int_dnc_listed), and every number an unreadable
-- dnc/ line holds, on every list (fail closed: whichever list, snapshot or action the line
-- was, a later deletion cannot be read either). The quarantined numbers change with any new
-- file of any family; only this union is built again then, not the listed numbers.
with listed as (
    select dnc_list, phone_e164, is_listed from {{ ref('int_dnc_listed') }}
),

unreadable_lines as (
    select lists.dnc_list, quarantined.phone_e164, true as is_listed
    from {{ ref('int_quarantined_numbers') }} as quarantined
    cross join {{ ref('int_dnc_lists') }} as lists
    where quarantined.source = 'dnc'
),

final as (
    select * from listed
    union
    select * from unreadable_lines
)

select * from final
