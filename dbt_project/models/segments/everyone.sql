-- Segment `everyone`: active voters with a valid phone and no voter-level exclusion.
-- score = share of the last four general elections voted (eight years), so lists sort the
-- likeliest voters first.
with voters as (
    select * from {{ ref('int_voters') }}
),

turnout as (
    select * from {{ ref('int_turnout') }}
),

final as (
    select
        voters.contact_id,
        voters.voter_key,
        voters.phone_e164,
        round(least(1.0, coalesce(turnout.generals_voted_8y, 0) / 4.0), 4)::double as score,
        coalesce(turnout.generals_voted_8y, 0) as generals_voted_8y,
        coalesce(turnout.primaries_voted_8y, 0) as primaries_voted_8y,
        turnout.last_voted_on,
        voters.party,
        voters.source_state
    from voters
    left join turnout using (voter_key)
    where voters.registration_status = 'A'
      and {{ list_size('voters.voter_rule_ids') }} = 0
      and round(least(1.0, coalesce(turnout.generals_voted_8y, 0) / 4.0), 4) >= {{ var('everyone_min_score') }}
)

select * from final
