-- Party primary ballots each North Carolina voter took (ncvhis voted_party_cd), last eight
-- years; relabelled duplicate rows count once. Florida's primaries are closed, so there the
-- registration party is the ballot.
with history as (
    select * from {{ source('raw', 'nc_vote_history') }}
),

elections as (
    -- A separate read of two columns, not of the history CTE: read twice, DuckDB would keep
    -- all of its rows.
    select distinct election_lbl, election_desc from {{ source('raw', 'nc_vote_history') }}
),

party_codes as (
    select distinct voted_party_cd from {{ source('raw', 'nc_vote_history') }}
),

run as (
    -- The as-of day and the eight-year cutoff once, not cast per ballot row.
    select
        as_of_date,
        as_of_date - interval 8 year as since_8y
    from {{ ref('int_run_day') }}
),

primaries as (
    -- Which (label, description) pairs are primaries of the last eight years, and their day:
    -- decided once per pair (a few dozen), not parsed on each of some hundred million rows.
    select election_lbl, election_desc, election_date
    from (
        select election_lbl, election_desc, {{ parse_date('election_lbl') }} as election_date
        from elections
        where upper(election_desc) like '%PRIMARY%'
    ) as dated
    cross join run
    where election_date <= run.as_of_date
      and election_date > run.since_8y
),

parties as (
    select voted_party_cd, upper({{ clean_text('voted_party_cd') }}) as ballot_party
    from party_codes
),

ballots as (
    select distinct
        trim(history.ncid) as ncid,
        primaries.election_date,
        parties.ballot_party
    from history
    inner join primaries
        on primaries.election_lbl = history.election_lbl and primaries.election_desc = history.election_desc
    inner join parties on parties.voted_party_cd = history.voted_party_cd
    where parties.ballot_party is not null
),

voter_parties as (
    -- One row per voter and party: a count and a date, which DuckDB can spill, where a list of
    -- parties per voter it keeps in memory (docs/performance.md).
    select ncid, ballot_party, count(*) as ballots, max(election_date) as last_ballot_on
    from ballots
    group by ncid, ballot_party
),

party_lists as (
    {{ ordered_list_per_key('voter_parties', 'ncid', 'r.ballot_party', ['r.ballot_party'], 'primary_ballot_parties') }}
),

totals as (
    select
        ncid,
        cast(sum(ballots) as bigint) as primary_ballots,
        {{ arg_max_of('ballot_party', 'last_ballot_on') }} as last_primary_party
    from voter_parties
    group by ncid
),

final as (
    select
        'NC-' || totals.ncid as voter_key,
        totals.primary_ballots,
        party_lists.primary_ballot_parties,
        totals.last_primary_party
    from totals
    inner join party_lists on party_lists.ncid = totals.ncid
)

select * from final
