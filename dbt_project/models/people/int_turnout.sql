-- Turnout per voter, with duplicate rows per election (relabelled voting methods) collapsed.
with elections_voted as (
    select * from {{ ref('int_elections_voted') }}
),

run as (
    -- The as-of day and the eight-year cutoff once, not per history row (a timestamptz-to-date
    -- cast per row was most of this model's time).
    select
        as_of_date,
        as_of_date - interval 8 year as since_8y
    from {{ ref('int_run_day') }}
),

final as (
    select
        elections_voted.voter_key,
        count(*) filter (where election_kind = 'general' and election_date > run.since_8y)
            as generals_voted_8y,
        count(*) filter (where election_kind = 'primary' and election_date > run.since_8y)
            as primaries_voted_8y,
        max(election_date) as last_voted_on
    from elections_voted
    cross join run
    where election_date <= run.as_of_date
    group by elections_voted.voter_key
)

select * from final
