-- One row per voter phone and channel: eligible, or the ids of the rules that exclude it,
-- from the number alone (rules that also depend on the person or the list, such as
-- residence-state rules, purposes and the cap across this run's lists, are applied in
-- list_decisions). Times: a list of the channel may be dialed up to as-of plus the channel's
-- expires_hours (the manifest's expires_at), and R05 is checked at that time.
--
-- Every row is derived from its number's facts alone, and from the as-of only through R05's
-- test of the check's age, so an incremental run rebuilds only the numbers whose facts or
-- R05 tests changed (macros/number_delta.sql, docs/performance.md). The last dial time is not
-- a column: it would change every row at every as-of.
{{ config(
    materialized='incremental' if decisions_delta() else 'table',
    incremental_strategy='append',
    pre_hook=["{{ number_delta_step('inputs', channel_eligibility_inputs()) }}", "{{ number_delta_step('redo') }}",
              "{{ number_delta_step('delete') }}"],
    post_hook=["{{ number_delta_step('keep', channel_eligibility_inputs()) }}"],
) }}

with facts as (
    select * from {{ ref('int_phone_facts') }} where {{ number_rebuilt('phone_e164') }}
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
        run.as_of + {{ interval_hours('channels.expires_hours') }} as expires_at,
        case channels.consent_scope
            when 'prerecorded_voice' then facts.has_prerecorded_consent
            when 'autodialed_voice' then facts.has_autodialed_consent
            when 'sms' then facts.has_sms_consent
            else false
        end as has_channel_consent
    from facts
    cross join channels
    cross join run
),

ruled as (
    -- A line-type rule applies when it would apply to any of the number's line types (a
    -- landline/wireless tie needs consent where wireless does, and is not allowed where
    -- either is not).
    select
        phone_e164,
        channel,
        effective_line_type,
        line_types,
        has_channel_consent,
        recent_prerecorded_calls + pending_prerecorded_lists as prerecorded_calls_counted,
        -- R05: the latest check at most line_type_max_age_days old at expires_at.
        -- R13 for the first list of the channel, "counting this one": calls + 1 <= cap.
        {{ list_cat('opt_out_rule_ids', list_keep(list_of([
            "case when has_wrong_number then 'R28' end",
            "case when " ~ list_has_any_of('consent_required_line_types', 'line_types') ~ "
                      and not has_channel_consent then consent_rule_id end",
            "case when toll_free_needs_consent and " ~ list_has('line_types', "'toll_free'") ~ "
                      and not has_channel_consent then 'R24' end",
            "case when allowed_line_types is not null
                      and not " ~ list_has_all_of('allowed_line_types', 'line_types') ~ " then line_type_rule_id end",
            "case when line_type_max_age_days is not null
                      and (line_type_checked_at is null
                           or line_type_checked_at < expires_at - " ~ interval_days('line_type_max_age_days') ~ ") then 'R05' end",
            "case when cap_calls is not null
                      and recent_prerecorded_calls + pending_prerecorded_lists + 1 > cap_calls
                      and not (cap_exempt_with_consent and has_channel_consent) then 'R13' end"
        ]), 'x', 'x is not null')) }} as rule_ids
    from paired
),

sorted as (
    select
        phone_e164,
        channel,
        effective_line_type,
        line_types,
        has_channel_consent,
        prerecorded_calls_counted,
        {{ without_disabled_rule(list_sorted_distinct('rule_ids')) }} as rule_ids
    from ruled
),

final as (
    select *, {{ list_size('rule_ids') }} = 0 as eligible
    from sorted
)

select * from final
