-- Households: voter records grouped by normalized residence address and ZIP.
with voters as (
    select * from {{ ref('int_voters') }}
),

normalized as (
    select
        voter_key,
        {{ norm_address('residence_address') }} as address_key,
        residence_zip5
    from voters
),

final as (
    select
        voter_key,
        address_key,
        residence_zip5,
        case when address_key is not null
            then 'hh:' || left(md5(address_key || '|' || coalesce(residence_zip5, '')), 16)
            else 'hh:' || left(md5('voter|' || voter_key), 16)
        end as household_id
    from normalized
),

-- A grouped count joined back, not count(*) over (partition by household_id): DuckDB turns
-- that window into the same join but inlines `final` into both sides, normalizing every
-- address twice; a CTE read twice is computed once.
sizes as (
    select household_id, count(*) as household_size
    from final
    group by household_id
)

select
    final.*,
    sizes.household_size
from final
inner join sizes on sizes.household_id = final.household_id
