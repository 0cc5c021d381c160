-- Survey answers attributed to voter records, with an affinity per answer:
-- strongly_support 1, support 0.75, neutral 0.5, oppose 0.25, strongly_oppose 0.
-- An answer identified by ncid goes to that voter; one identified by phone only when a
-- single voter record holds the number (a household landline names nobody).
with responses as (
    select * from {{ ref('stg_surveys') }}
),

voters as (
    select voter_key, phone_e164 from {{ ref('int_voters') }}
),

single_holder_phones as (
    select phone_e164, min(voter_key) as voter_key
    from voters
    where phone_e164 is not null
    group by phone_e164
    having count(*) = 1
),

final as (
    select
        coalesce(known.voter_key, case when responses.voter_key is null then single_holder_phones.voter_key end) as voter_key,
        case when known.voter_key is not null then 'ncid' else 'phone' end as matched_by,
        responses.question as topic,
        responses.response,
        case responses.response
            when 'strongly_support' then 1.0
            when 'support' then 0.75
            when 'neutral' then 0.5
            when 'oppose' then 0.25
            when 'strongly_oppose' then 0.0
        end as affinity,
        responses.collected_at
    from responses
    left join voters as known on known.voter_key = responses.voter_key
    -- A plain equality join: with the `voter_key is null` test in the join condition DuckDB fell
    -- back to a nested-loop join (4 minutes at a million voters); the test is applied above.
    left join single_holder_phones on single_holder_phones.phone_e164 = responses.phone_e164
)

select * from final
where voter_key is not null and affinity is not null
