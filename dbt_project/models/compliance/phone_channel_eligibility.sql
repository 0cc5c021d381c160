-- One row per voter phone and channel: eligible, or the ids of the rules that exclude it,
-- from the number alone (rules that also depend on the person or the list, such as
-- residence-state rules and purposes, are applied in list_decisions).
with facts as (
    select * from {{ ref('int_phone_facts') }}
),

channels as (
    select * from {{ source('config', 'channels') }}
),

run as (
    select * from {{ ref('int_run') }}
),

paired as (
    select
        facts.*,
        channels.*,
        case channels.consent_scope
            when 'prerecorded_voice' then facts.has_prerecorded_consent
            when 'autodialed_voice' then facts.has_autodialed_consent
            when 'sms' then facts.has_sms_consent
            else false
        end as has_channel_consent
    from facts
    cross join channels
),

ruled as (
    select
        paired.phone_e164,
        paired.channel,
        paired.effective_line_type,
        paired.has_channel_consent,
        list_filter([
            paired.opt_out_rule_id,
            case when paired.has_wrong_number then 'R28' end,
            case when list_contains(paired.consent_required_line_types, paired.effective_line_type)
                      and not paired.has_channel_consent then paired.consent_rule_id end,
            case when paired.toll_free_needs_consent and paired.effective_line_type = 'toll_free'
                      and not paired.has_channel_consent then 'R24' end,
            case when paired.allowed_line_types is not null
                      and not list_contains(paired.allowed_line_types, paired.effective_line_type) then paired.line_type_rule_id end,
            case when paired.line_type_max_age_days is not null
                      and (paired.line_type_checked_at is null
                           or paired.line_type_checked_at < run.as_of - to_days(paired.line_type_max_age_days)) then 'R05' end,
            case when paired.cap_calls is not null and paired.recent_prerecorded_calls >= paired.cap_calls
                      and not paired.has_channel_consent then 'R13' end
        ], lambda x: x is not null) as rule_ids
    from paired
    cross join run
)

select
    phone_e164,
    channel,
    effective_line_type,
    has_channel_consent,
    list_sort(list_distinct(rule_ids)) as rule_ids,
    len(rule_ids) = 0 as eligible
from ruled
