-- Giving per person, refunds excluded from every total (a refunded receipt counts nowhere).
with donations as (
    select * from {{ ref('int_donations') }}
),

run as (
    select * from {{ ref('int_run') }}
),

final as (
    select
        donations.contact_id,
        count(*) filter (where not is_refunded) as gifts,
        count(*) filter (where is_refunded) as refunded_gifts,
        coalesce(sum(amount) filter (where not is_refunded), 0) as total_given,
        max(amount) filter (where not is_refunded) as largest_gift,
        round(avg(amount) filter (where not is_refunded), 2) as average_gift,
        {{ arg_max_of('amount', 'donated_at') }} filter (where not is_refunded) as last_gift_amount,
        min(donated_at) filter (where not is_refunded) as first_gift_at,
        max(donated_at) filter (where not is_refunded) as last_gift_at,
        coalesce(bool_or(is_recurring) filter (where not is_refunded), false) as is_recurring,
        coalesce(sum(amount) filter (where not is_refunded and cycle_election = 'primary'), 0) as primary_total,
        coalesce(sum(amount) filter (where not is_refunded and cycle_election = 'general'), 0) as general_total,
        -- The election an ask made at as-of would count toward.
        case when any_value(run.as_of)::date <= '{{ var("primary_election_date") }}'::date then 'primary' else 'general' end
            as ask_election
    from donations
    cross join run
    where donations.donated_at <= run.as_of
    group by donations.contact_id
)

select
    *,
    case ask_election when 'primary' then primary_total else general_total end as ask_election_total,
    greatest(0, {{ var('contribution_limit_per_election') }}
                - case ask_election when 'primary' then primary_total else general_total end) as room_under_limit
from final
