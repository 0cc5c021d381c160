-- Segment gotv: active, contactable supporters whose turnout is in doubt.
-- supporter: registered in var gotv_party (support 1.0 when they also took its primary
-- ballot, else 0.8), or took its primary ballot without being registered in it (0.6).
-- propensity (int_turnout_propensity) between var gotv_min_propensity and gotv_max_propensity.
-- score = support * (1 - |propensity - 0.5| * 2): highest for the least predictable supporters.
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
        coalesce({{ list_has('ballots.primary_ballot_parties', "'" ~ var('gotv_party') ~ "'") }}, false) as took_party_primary_ballot,
        case
            when contacts.party = '{{ var("gotv_party") }}'
                 and coalesce({{ list_has('ballots.primary_ballot_parties', "'" ~ var('gotv_party') ~ "'") }}, false) then 1.0
            when contacts.party = '{{ var("gotv_party") }}' then 0.8
            when coalesce({{ list_has('ballots.primary_ballot_parties', "'" ~ var('gotv_party') ~ "'") }}, false) then 0.6
        end as support,
        propensity.propensity,
        propensity.elections_eligible,
        propensity.elections_voted,
        propensity.is_new_registrant,
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
        {{ unit_score('support * (1 - abs(propensity - 0.5) * 2)') }} as score,
        support,
        propensity,
        party,
        took_party_primary_ballot,
        elections_eligible,
        elections_voted,
        is_new_registrant,
        county,
        source_state
    from scored
    where support is not null
      and propensity between {{ var('gotv_min_propensity') }} and {{ var('gotv_max_propensity') }}
)

select * from final
