-- ActBlue receipts with the person who gave them and the election of the cycle each
-- counts toward: on or before var primary_election_date the primary, after it (up to
-- var contribution_cycle_end) the general; outside the cycle none.
with donations as (
    select * from {{ ref('stg_donations') }}
),

crosswalk as (
    select * from {{ ref('int_person_crosswalk') }} where source = 'actblue'
),

keyed as (
    select
        donations.*,
        {{ donor_record_id('first_name', 'last_name', 'email', 'phone_e164', 'zip5') }} as source_id
    from donations
),

final as (
    select
        keyed.receipt_id,
        crosswalk.person_id as contact_id,
        keyed.donated_at,
        keyed.amount,
        keyed.is_recurring,
        keyed.is_refunded,
        case
            when keyed.donated_at::date < '{{ var("contribution_cycle_start") }}'::date then null
            when keyed.donated_at::date <= '{{ var("primary_election_date") }}'::date then 'primary'
            when keyed.donated_at::date <= '{{ var("contribution_cycle_end") }}'::date then 'general'
        end as cycle_election,
        crosswalk.match_method
    from keyed
    inner join crosswalk using (source_id)
)

select * from final
