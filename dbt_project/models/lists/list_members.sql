-- The rows each list publishes: one per phone, with the called party's zone and the local
-- calling window (R21): the policy's window, narrowed by every state override of the channel
-- that applies to the number (any holder resides in the state, or its area code is there:
-- list_decisions.rule_states; the narrowest window wins); the unknown-zone window when the
-- zone is unknown. zip5 and voter_id feed the export profiles (assets/exports): Spoke sets
-- texting hours from the ZIP, VAN bulk upload matches on the state voter-file id.
--
-- An incremental run rebuilds the rows of the numbers list_decisions decided again, and only
-- those (macros/decision_delta.sql, list_members_delta_step).
{{ config(
    materialized='incremental' if decisions_delta() else 'table',
    incremental_strategy='append',
    pre_hook=["{{ list_members_delta_step('plan') }}", "{{ list_members_delta_step('delete') }}"],
    post_hook=["{{ list_members_delta_step('keep') }}"],
) }}

with decisions as (
    select * from {{ ref('list_decisions') }} where included and {{ member_redone('phone_e164') }}
),

contacts as (
    select contact_id, voter_key, residence_zip5 from {{ ref('int_contacts') }}
),

-- state_voter_id is a function of voter_key, so one row per key whatever the file repeats.
voter_ids as (
    select voter_key, min(state_voter_id) as state_voter_id
    from {{ ref('int_voters') }}
    {%- if deciding_changed_numbers() %}
    where voter_key in (select contacts.voter_key from decisions inner join contacts using (contact_id))
    {%- endif %}
    group by voter_key
),

run as (
    select * from {{ ref('int_run') }}
),

overrides as (
    select state, channel, max(window_start) as window_start, min(window_end) as window_end
    from {{ source('config', 'window_overrides') }}
    group by state, channel
),

decision_states as (
    select list_name, contact_id, channel, {{ unnest_list('rule_states') }} as state
    from decisions
),

applicable_overrides as (
    select
        decision_states.list_name,
        decision_states.contact_id,
        max(overrides.window_start) as window_start,
        min(overrides.window_end) as window_end
    from decision_states
    inner join overrides on overrides.state = decision_states.state and overrides.channel = decision_states.channel
    group by decision_states.list_name, decision_states.contact_id
),

windowed as (
    select
        decisions.*,
        case when decisions.time_zone is null then run.unknown_zone_window_start
             else greatest(run.window_start, coalesce(applicable_overrides.window_start, run.window_start)) end as window_start,
        case when decisions.time_zone is null then run.unknown_zone_window_end
             else least(run.window_end, coalesce(applicable_overrides.window_end, run.window_end)) end as window_end,
        coalesce(decisions.time_zone, run.unknown_zone_time_zone) as timezone
    from decisions
    cross join run
    left join applicable_overrides
        on applicable_overrides.list_name = decisions.list_name and applicable_overrides.contact_id = decisions.contact_id
),

final as (
    select
        list_name,
        contact_id,
        phone_e164,
        first_name,
        last_name,
        state,
        timezone,
        left(cast(window_start as {{ type_text() }}), 5) as window_start_local,
        left(cast(window_end as {{ type_text() }}), 5) as window_end_local,
        segment,
        score,
        effective_line_type as line_type,
        contacts.residence_zip5 as zip5,
        voter_ids.state_voter_id as voter_id
    from windowed
    left join contacts using (contact_id)
    left join voter_ids on voter_ids.voter_key = contacts.voter_key
)

select * from final
-- One list's rows together: each list's step reads only its own (docs/performance.md).
{{ stored_in_order_of(['list_name']) }}
