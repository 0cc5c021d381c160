-- Each election a voter voted in, once: the distinct (voter, election date, kind) of the vote
-- history with a readable date (a relabelled voting method or a repeated row is one vote).
-- int_turnout and int_turnout_propensity both read it, so the history (ten rows per voter)
-- is parsed and deduplicated once per build instead of once per model.
with history as (
    select * from {{ ref('stg_vote_history') }}
),

final as (
    select distinct voter_key, election_date, election_kind
    from history
    where voted and election_date is not null
)

select * from final
