-- One row per configured list and segment member: included, or excluded with the ids of
-- every rule that kept the number out (the audit behind each publish). Number-level rules
-- come from phone_channel_eligibility; here are added the person's rules (C01 to C03), the
-- state rules that look at the residence as well as the area code (R22, R23, CONTRACT
-- rule 11), the purpose rules (R20, R26) and one row per phone (C05).
with lists as (
    select * from {{ source('config', 'lists') }}
),

members as (
    select * from {{ ref('segment_members') }}
),

voters as (
    select * from {{ ref('int_contacts') }}
),

eligibility as (
    select * from {{ ref('phone_channel_eligibility') }}
),

facts as (
    select phone_e164, on_federal_dnc from {{ ref('int_phone_facts') }}
),

channels as (
    select * from {{ source('config', 'channels') }}
),

purposes as (
    select * from {{ source('config', 'purposes') }}
),

run as (
    select * from {{ ref('int_run') }}
),

state_rules as (
    select * from {{ source('config', 'state_rules') }}
),

state_dnc as (
    select * from {{ ref('int_dnc_status') }} where dnc_list <> 'federal'
),

candidates as (
    select
        lists.name as list_name,
        lists.segment,
        lists.effective_channel as channel,
        lists.purpose,
        lists.live_operator_intro,
        members.contact_id,
        members.score,
        voters.phone_e164,
        voters.first_name,
        voters.last_name,
        voters.residence_state,
        voters.area_code_state,
        voters.source_state,
        voters.time_zone,
        voters.voter_rule_ids,
        coalesce(eligibility.rule_ids, []::varchar[]) as number_rule_ids,
        coalesce(eligibility.has_channel_consent, false) as has_channel_consent,
        eligibility.phone_e164 is not null as is_evaluated,
        eligibility.effective_line_type,
        coalesce(facts.on_federal_dnc, false) as on_federal_dnc,
        channels.state_rules as channel_has_state_rules,
        purposes.dnc_scrub,
        purposes.voter_states_restricted,
        exists (
            select 1 from state_rules
            where state_rules.rule = 'prerecorded_consent'
              and state_rules.state in (voters.residence_state, voters.area_code_state)
        ) as in_prerecorded_consent_state,
        exists (
            select 1 from state_dnc
            where state_dnc.phone_e164 = voters.phone_e164
              and state_dnc.dnc_list in (voters.residence_state, voters.area_code_state)
        ) as on_state_dnc,
        exists (
            select 1 from state_rules
            where state_rules.rule = 'commercial_forbidden_voter' and state_rules.state = voters.source_state
        ) as from_commercial_forbidden_state
    from lists
    inner join members on members.segment = lists.segment
    inner join voters using (contact_id)
    inner join channels on channels.channel = lists.effective_channel
    inner join purposes on purposes.purpose = lists.purpose
    left join eligibility on eligibility.phone_e164 = voters.phone_e164 and eligibility.channel = lists.effective_channel
    left join facts on facts.phone_e164 = voters.phone_e164
),

ruled as (
    select
        candidates.*,
        list_sort(list_distinct(list_concat(voter_rule_ids, number_rule_ids, list_filter([
            -- Safeguard: a number the channel rules never evaluated is not contacted.
            case when phone_e164 is not null and not is_evaluated then 'C06' end,
            case when channel_has_state_rules and in_prerecorded_consent_state
                      and not has_channel_consent and not live_operator_intro then 'R22' end,
            case when channel_has_state_rules and run.nh_prerecorded_federal_dnc and on_federal_dnc
                      and 'NH' in (residence_state, area_code_state) then 'R23' end,
            case when dnc_scrub and (on_federal_dnc or on_state_dnc) then 'R20' end,
            case when voter_states_restricted and from_commercial_forbidden_state then 'R26' end
        ], lambda x: x is not null)))) as rule_ids
    from candidates
    cross join run
),

deduplicated as (
    select
        ruled.*,
        -- CONTRACT rule 10: a shared household phone is contacted once, for its best-scored member.
        case when len(rule_ids) = 0 then
            row_number() over (
                partition by list_name, phone_e164, len(rule_ids) = 0
                order by score desc, contact_id
            )
        end as phone_rank
    from ruled
),

final as (
    select
        list_name,
        segment,
        channel,
        purpose,
        contact_id,
        phone_e164,
        score,
        case when phone_rank > 1 then ['C05'] else rule_ids end as rule_ids,
        len(rule_ids) = 0 and phone_rank = 1 as included,
        first_name,
        last_name,
        coalesce(residence_state, area_code_state) as state,
        time_zone,
        effective_line_type
    from deduplicated
)

select * from final
