-- One row per configured list and segment member: included, or excluded with the ids of
-- every rule that kept the number out (the audit behind each publish).
with lists as (
    select * from {{ source('config', 'lists') }}
),

members as (
    select * from {{ ref('segment_members') }}
),

voters as (
    select * from {{ ref('int_voters') }}
),

facts as (
    select * from {{ ref('int_phone_facts') }}
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
        facts.opt_out_rule_id,
        facts.has_wrong_number,
        facts.effective_line_type,
        facts.line_type_checked_at,
        facts.recent_prerecorded_calls,
        facts.has_prerecorded_consent,
        facts.has_autodialed_consent,
        facts.has_sms_consent,
        facts.on_federal_dnc,
        case lists.effective_channel
            when 'predictive_dialer_call' then facts.has_autodialed_consent
            when 'automated_sms' then facts.has_sms_consent
            when 'prerecorded_call_wireless' then facts.has_prerecorded_consent
            when 'prerecorded_call_landline' then facts.has_prerecorded_consent
            else false
        end as has_channel_consent,
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
    left join facts using (phone_e164)
),

ruled as (
    select
        candidates.*,
        list_concat(voter_rule_ids, list_filter([
            opt_out_rule_id,
            case when has_wrong_number then 'R28' end,
            case when channel = 'predictive_dialer_call' and effective_line_type = 'wireless' and not has_channel_consent then 'R07' end,
            case when channel in ('prerecorded_call_wireless', 'automated_sms') and effective_line_type = 'wireless' and not has_channel_consent then 'R06' end,
            case when channel = 'prerecorded_call_wireless' and effective_line_type <> 'wireless' then 'R03' end,
            case when channel = 'prerecorded_call_landline' and effective_line_type not in ('landline', 'voip_fixed') then 'R04' end,
            case when channel = 'prerecorded_call_landline'
                      and (line_type_checked_at is null or line_type_checked_at < run.as_of - to_days(run.line_type_max_age_days)) then 'R05' end,
            case when channel = 'prerecorded_call_landline' and recent_prerecorded_calls >= run.prerecorded_cap_calls
                      and not has_channel_consent then 'R13' end,
            case when channel like 'prerecorded%' and in_prerecorded_consent_state and not has_channel_consent
                      and not live_operator_intro then 'R22' end,
            case when channel like 'prerecorded%' and run.nh_prerecorded_federal_dnc and on_federal_dnc
                      and 'NH' in (residence_state, area_code_state) then 'R23' end,
            case when channel in ('predictive_dialer_call', 'prerecorded_call_landline', 'prerecorded_call_wireless', 'automated_sms')
                      and effective_line_type = 'toll_free' and not has_channel_consent then 'R24' end,
            case when channel in ('p2p_sms', 'automated_sms') and effective_line_type = 'landline' then 'C04' end,
            case when purpose = 'commercial' and (on_federal_dnc or on_state_dnc) then 'R20' end,
            case when purpose = 'commercial' and from_commercial_forbidden_state then 'R26' end
        ], lambda x: x is not null)) as rule_ids
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
        case when phone_rank > 1 then ['C05'] else list_distinct(rule_ids) end as rule_ids,
        len(rule_ids) = 0 and phone_rank = 1 as included,
        first_name,
        last_name,
        coalesce(residence_state, area_code_state) as state,
        time_zone,
        effective_line_type
    from deduplicated
)

select * from final
