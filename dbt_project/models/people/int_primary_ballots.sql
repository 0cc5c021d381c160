-- Party primary ballots each North Carolina voter took (ncvhis voted_party_cd), last eight
-- years; relabelled duplicate rows count once. Florida's primaries are closed, so there the
-- registration party is the ballot.
with history as (
    select * from {{ source('raw', 'nc_vote_history') }}
),

run as (
    -- The as-of day and the eight-year cutoff once, not cast per ballot row.
    select
        as_of::date as as_of_date,
        as_of::date - interval 8 year as since_8y
    from {{ ref('int_run') }}
),

ballots as (
    select distinct
        'NC-' || trim(ncid) as voter_key,
        {{ parse_date('election_lbl') }} as election_date,
        upper({{ clean_text('voted_party_cd') }}) as ballot_party
    from history
    where upper(election_desc) like '%PRIMARY%'
),

final as (
    select
        voter_key,
        count(*) as primary_ballots,
        {{ list_sorted_distinct(list_gather('ballot_party')) }} as primary_ballot_parties,
        {{ arg_max_of('ballot_party', 'election_date') }} as last_primary_party
    from ballots
    cross join run
    where ballot_party is not null
      and election_date <= run.as_of_date
      and election_date > run.since_8y
    group by voter_key
)

select * from final
