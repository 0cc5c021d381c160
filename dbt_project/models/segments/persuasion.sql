-- Segment persuasion: active, contactable voters who are likely to vote and not settled.
-- persuadable: registered in one of var persuasion_unaffiliated_parties (weight 1.0), or
-- cross-pressured (weight var persuasion_cross_pressured_weight): primary ballots of more
-- than one party, or a party ballot other than the party registered in.
-- propensity at least var persuasion_min_propensity. score = weight * propensity.
with contacts as (
    select * from {{ ref('int_contacts') }} where person_kind = 'voter'
),

propensity as (
    select * from {{ ref('int_turnout_propensity') }}
),

ballots as (
    select * from {{ ref('int_primary_ballots') }}
),

scored as (
    select
        contacts.contact_id,
        contacts.voter_key,
        contacts.phone_e164,
        contacts.party,
        ballots.primary_ballot_parties,
        {{ list_has(list_literal(var('persuasion_unaffiliated_parties')), 'contacts.party') }} as is_unaffiliated,
        coalesce(
            {{ list_size('ballots.primary_ballot_parties') }} > 1
            or (not {{ list_has(list_literal(var('persuasion_unaffiliated_parties')), 'contacts.party') }}
                and {{ list_size(list_keep('ballots.primary_ballot_parties', 'p', 'p <> contacts.party')) }} > 0),
            false) as is_cross_pressured,
        propensity.propensity,
        contacts.county,
        contacts.source_state
    from contacts
    inner join propensity using (voter_key)
    left join ballots using (voter_key)
    where contacts.registration_status = 'A'
      and {{ list_size('contacts.voter_rule_ids') }} = 0
),

final as (
    select
        contact_id,
        voter_key,
        phone_e164,
        {{ unit_score("propensity * case when is_unaffiliated then 1.0 else " ~ var('persuasion_cross_pressured_weight') ~ " end") }}
            as score,
        case when is_unaffiliated then 'unaffiliated' else 'cross_pressured' end as reason,
        is_unaffiliated,
        is_cross_pressured,
        propensity,
        party,
        primary_ballot_parties,
        county,
        source_state
    from scored
    where (is_unaffiliated or is_cross_pressured)
      and propensity >= {{ var('persuasion_min_propensity') }}
)

select * from final
