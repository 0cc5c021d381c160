-- Turnout propensity per voter record, between 0 and 1:
--   propensity = (sum of w(e) over elections voted + prior_weight * prior)
--              / (sum of w(e) over elections the voter could vote in + prior_weight)
--   w(e) = kind weight (general var propensity_general_weight, primary var propensity_primary_weight)
--          * 0.5 ^ (years before as-of / var propensity_half_life_years)
-- over the general and primary elections of the last var propensity_lookback_years years
-- held on or after the registration date (an election voted always counts). The prior
-- (var propensity_prior, weight var propensity_prior_weight) stands in for missing history,
-- so a new registrant starts at the prior and moves toward their record as it grows.
with elections_voted as (
    select * from {{ ref('int_elections_voted') }}
),

voters as (
    select voter_key, registered_on from {{ ref('int_voters') }}
),

run as (
    -- The as-of day once, not cast per history row.
    select as_of_date from {{ ref('int_run_day') }}
),

voted as (
    select voter_key, election_date, election_kind
    from elections_voted
    where election_kind in ('general', 'primary')
),

elections_held as (
    select voted.election_date, voted.election_kind
    from voted
    cross join run
    where voted.election_date <= run.as_of_date
      and voted.election_date > run.as_of_date - {{ interval_years(var('propensity_lookback_years')) }}
    group by voted.election_date, voted.election_kind
    -- voted holds a voter once per election, so count(*) counts the voters.
    having count(*) >= {{ var('election_min_voters') }}
),

elections as (
    -- The weight once per election (a few dozen), not once per history row before grouping.
    select
        elections_held.election_date,
        elections_held.election_kind,
        (case elections_held.election_kind when 'general' then {{ var('propensity_general_weight') }} else {{ var('propensity_primary_weight') }} end)
        * pow(0.5, {{ days_between('elections_held.election_date', 'run.as_of_date') }} / 365.25 / {{ var('propensity_half_life_years') }})
            as weight
    from elections_held
    cross join run
),

registration_days as (
    select distinct registered_on from voters
),

eligible_by_registration as (
    -- The elections a voter could vote in depend only on the registration date: summed once
    -- per date (some thousands), not once per voter and election (tens per voter).
    select
        registration_days.registered_on,
        sum(elections.weight) as eligible_weight,
        count(*) as elections_eligible
    from registration_days
    inner join elections
        on registration_days.registered_on is null or elections.election_date >= registration_days.registered_on
    group by registration_days.registered_on
),

eligible as (
    select voters.voter_key, eligible_by_registration.eligible_weight, eligible_by_registration.elections_eligible
    from voters
    inner join eligible_by_registration
        on eligible_by_registration.registered_on is not distinct from voters.registered_on
),

voted_weight as (
    select
        voted.voter_key,
        sum(elections.weight) as voted_weight,
        count(*) as elections_voted,
        -- Voted in an election held before the registration date on file: add it to the denominator too.
        sum(elections.weight) filter (where voters.registered_on is not null and voted.election_date < voters.registered_on)
            as voted_before_registration_weight
    from voted
    inner join elections using (election_date, election_kind)
    inner join voters using (voter_key)
    group by voted.voter_key
),

final as (
    select
        voters.voter_key,
        coalesce(eligible.elections_eligible, 0) as elections_eligible,
        coalesce(voted_weight.elections_voted, 0) as elections_voted,
        round(
            (coalesce(voted_weight.voted_weight, 0) + {{ var('propensity_prior_weight') }} * {{ var('propensity_prior') }})
            / (coalesce(eligible.eligible_weight, 0) + coalesce(voted_weight.voted_before_registration_weight, 0)
               + {{ var('propensity_prior_weight') }}),
            4)::double as propensity,
        coalesce(eligible.elections_eligible, 0) = 0 as is_new_registrant
    from voters
    left join eligible using (voter_key)
    left join voted_weight using (voter_key)
)

select * from final
