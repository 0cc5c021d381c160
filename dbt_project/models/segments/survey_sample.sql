-- Segment survey_sample: a stratified random sample of active, contactable voters.
-- strata: age band (18-29, 30-44, 45-64, 65+, unknown) x gender (M, F, U) x party
-- (DEM, REP, OTHER) x region (var survey_regions maps a county to a region, else the state).
-- quota n_h = var survey_quotas[stratum] when set, else
--   max(var survey_min_per_stratum, round(var survey_sample_size x N_h / N)),
-- at most the stratum's contactable voters, where N_h is the stratum's active electorate.
-- Within a stratum voters are drawn in the order of md5(var survey_seed | voter_key):
-- the same seed and voter file give the same sample. design_weight = N_h / n_h (drawn),
-- so weights sum to the electorate of every sampled stratum.
-- score = 1 - (draw rank - 1) / n_h: callers work through each stratum in draw order.
{%- set regions = var('survey_regions', {}) %}
{%- set quotas = var('survey_quotas', {}) %}
with contacts as (
    select * from {{ ref('int_contacts') }} where person_kind = 'voter' and registration_status = 'A'
),

run as (
    select * from {{ ref('int_run_day') }}
),

quota_overrides as (
    select * from (values ('', 0){% for key, n in quotas.items() %}, ('{{ key }}', {{ n }}){% endfor %})
        as t(stratum, quota)
    where stratum <> ''
),

stratified as (
    select
        contacts.contact_id,
        contacts.voter_key,
        contacts.phone_e164,
        {{ list_size('contacts.voter_rule_ids') }} = 0 as in_frame,
        case
            when contacts.birth_year is null then 'unknown'
            when year(run.as_of_date) - contacts.birth_year < 30 then '18-29'
            when year(run.as_of_date) - contacts.birth_year < 45 then '30-44'
            when year(run.as_of_date) - contacts.birth_year < 65 then '45-64'
            else '65+'
        end as age_band,
        case when contacts.gender in ('M', 'F') then contacts.gender else 'U' end as gender,
        case when contacts.party in ('DEM', 'REP') then contacts.party else 'OTHER' end as party_group,
        case
            {%- for county, region in regions.items() %}
            when contacts.county = '{{ county }}' then '{{ region }}'
            {%- endfor %}
            when true then contacts.source_state
        end as region
    from contacts
    cross join run
),

keyed as (
    select
        *,
        concat_ws('|', age_band, gender, party_group, region) as stratum,
        md5('{{ var("survey_seed") }}|' || voter_key) as draw_key
    from stratified
),

strata as (
    select
        keyed.stratum,
        count(*) as electorate,
        count(*) filter (where in_frame) as frame_size,
        least(
            count(*) filter (where in_frame),
            coalesce(
                any_value(quota_overrides.quota),
                greatest({{ var('survey_min_per_stratum') }},
                         round({{ var('survey_sample_size') }} * count(*) / sum(count(*)) over ())::integer)
            )
        ) as quota
    from keyed
    left join quota_overrides using (stratum)
    group by keyed.stratum
),

drawn as (
    select
        keyed.*,
        row_number() over (partition by keyed.stratum order by keyed.draw_key, keyed.voter_key) as draw_rank
    from keyed
    where keyed.in_frame
),

final as (
    select
        drawn.contact_id,
        drawn.voter_key,
        drawn.phone_e164,
        {{ unit_score('1 - (drawn.draw_rank - 1) / strata.quota') }} as score,
        drawn.stratum,
        drawn.age_band,
        drawn.gender,
        drawn.party_group,
        drawn.region,
        drawn.draw_rank,
        strata.quota as stratum_sample_size,
        strata.frame_size as stratum_frame_size,
        strata.electorate as stratum_electorate,
        round(strata.electorate / strata.quota, 6)::double as design_weight,
        {{ var('survey_seed') }} as seed
    from drawn
    inner join strata using (stratum)
    where drawn.draw_rank <= strata.quota
)

select * from final
