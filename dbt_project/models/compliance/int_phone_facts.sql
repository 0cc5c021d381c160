-- What the ledger says about each contact phone at as-of: opt-outs, wrong number, line types,
-- prerecorded calls counted toward the cap, consents per scope and the federal DNC list
-- (docs/compliance_defaults.md "Events and ties").
--
-- Every row is derived from its number's inputs alone, so an incremental run rebuilds only
-- the numbers whose inputs changed (macros/number_delta.sql, docs/performance.md).
{{ config(
    materialized='incremental' if decisions_delta() else 'table',
    incremental_strategy='append',
    pre_hook=["{{ number_delta_step('inputs', phone_facts_inputs()) }}", "{{ number_delta_step('redo') }}",
              "{{ number_delta_step('delete') }}"],
    post_hook=["{{ number_delta_step('keep', phone_facts_inputs()) }}"],
) }}

with run as (
    select * from {{ ref('int_run') }}
),

phones as (
    -- Every contact's number: voters, and donors and volunteers who match no voter.
    select distinct phone_e164 from {{ ref('int_contacts') }}
    where phone_e164 is not null and {{ number_rebuilt('phone_e164') }}
),

cap_window as (
    -- The widest cap window of the policy (one cap today: prerecorded_call_landline, 30 days).
    select max(cap_days) as cap_days from {{ source('config', 'channels') }}
),

events as (
    -- Events with no readable time count as having happened (opt-outs, wrong numbers,
    -- prerecorded calls): when in doubt, do not contact.
    select events.*
    from {{ ref('int_phone_events') }} as events
    cross join run
    where (events.event_at is null or events.event_at <= run.as_of) and {{ number_rebuilt('events.phone_e164') }}
),

summarized as (
    select
        events.phone_e164,
        min(events.detail) filter (where events.event_type = 'opt_out') as opt_out_rule_id,
        {{ list_sorted_distinct(list_gather("case when events.event_type = 'opt_out' then events.detail end")) }} as opt_out_rule_ids,
        bool_or(events.event_type = 'disposition' and events.detail = 'wrong_number') as has_wrong_number,
        -- R13, the spec's count exactly: prerecorded calls in contact history by the configured
        -- caller entity (its letters and digits, punctuation aside) or naming none, in the
        -- cap.days days before as-of (on or before it), or with an unreadable time.
        count(*) filter (
            where events.event_type = 'prerecorded_call'
              and {{ entity_key('events.caller_entity') }} in ('', {{ entity_key('run.caller_entity') }})
              and (events.event_at is null or events.event_at >= run.as_of - {{ interval_days('coalesce(cap_window.cap_days, 0)') }})
        ) as recent_prerecorded_calls
    from events
    cross join run
    cross join cap_window
    group by events.phone_e164
),

line_type_checks as (
    -- A check with an unreadable time is no check.
    select phone_e164, detail as line_type, event_at as checked_at
    from events
    where event_type = 'line_type_check' and event_at is not null
),

latest_line_types as (
    -- Every answer at the latest checked_at: when answers tie and differ, the number holds all.
    select phone_e164, checked_at, line_type
    from line_type_checks
    qualify rank() over (partition by phone_e164 order by checked_at desc) = 1
),

line_type_summary as (
    select
        phone_e164,
        max(checked_at) as line_type_checked_at,
        {{ list_sorted_distinct(list_gather('line_type')) }} as answered_line_types
    from latest_line_types
    group by phone_e164
),

pending as (
    -- Unexpired prerecorded-landline lists already published, not in this run (R13).
    select pending.phone_e164, count(distinct pending.list_name) as pending_prerecorded_lists
    from {{ source('config', 'pending_prerecorded') }} as pending
    cross join run
    where pending.expires_at > run.as_of and {{ number_rebuilt('pending.phone_e164') }}
    group by pending.phone_e164
),

consents as (
    select
        phone_e164,
        bool_or(scope = 'prerecorded_voice') as has_prerecorded_consent,
        bool_or(scope = 'autodialed_voice') as has_autodialed_consent,
        bool_or(scope = 'sms') as has_sms_consent
    from {{ ref('int_valid_consents') }}
    where {{ number_rebuilt('phone_e164') }}
    group by phone_e164
),

federal_dnc as (
    select phone_e164 from {{ ref('int_dnc_status') }} where dnc_list = 'federal' and {{ number_rebuilt('phone_e164') }}
),

joined as (
    select
        phones.phone_e164,
        substr(phones.phone_e164, 3, 3) as area_code,
        summarized.opt_out_rule_id,
        coalesce(summarized.opt_out_rule_ids, {{ empty_text_list() }}) as opt_out_rule_ids,
        coalesce(summarized.has_wrong_number, false) as has_wrong_number,
        line_type_summary.answered_line_types,
        line_type_summary.line_type_checked_at,
        -- R03 and CONTRACT rule 3: no record, unknown or non-fixed VoIP count as wireless;
        -- an 8XX area code is toll_free whatever the answers.
        case
            when substr(phones.phone_e164, 3, 3) in ('800', '833', '844', '855', '866', '877', '888') then {{ list_of(["'toll_free'"]) }}
            else coalesce({{ list_sorted_distinct(list_map('line_type_summary.answered_line_types', 'answer',
                "case when answer in ('landline', 'voip_fixed', 'toll_free') then answer else 'wireless' end")) }},
                {{ list_of(["'wireless'"]) }})
        end as line_types,
        coalesce(summarized.recent_prerecorded_calls, 0) as recent_prerecorded_calls,
        coalesce(pending.pending_prerecorded_lists, 0) as pending_prerecorded_lists,
        coalesce(consents.has_prerecorded_consent, false) as has_prerecorded_consent,
        coalesce(consents.has_autodialed_consent, false) as has_autodialed_consent,
        coalesce(consents.has_sms_consent, false) as has_sms_consent,
        federal_dnc.phone_e164 is not null as on_federal_dnc
    from phones
    left join summarized using (phone_e164)
    left join line_type_summary using (phone_e164)
    left join pending using (phone_e164)
    left join consents using (phone_e164)
    left join federal_dnc using (phone_e164)
),

final as (
    select
        phone_e164,
        area_code,
        opt_out_rule_id,
        opt_out_rule_ids,
        has_wrong_number,
        -- For display, one answer and one effective type: the restrictive pick of a tie
        -- (what counts as wireless first). Rules read line_types, the whole set.
        case
            when answered_line_types is null then null
            when {{ list_has_any_of('answered_line_types', list_of(["'unknown'", "'voip_nonfixed'", "'wireless'"])) }}
                then {{ list_at(list_keep('answered_line_types', 'answer', "answer in ('unknown', 'voip_nonfixed', 'wireless')"), 1) }}
            when {{ list_has('answered_line_types', "'landline'") }} then 'landline'
            when {{ list_has('answered_line_types', "'voip_fixed'") }} then 'voip_fixed'
            else {{ list_at('answered_line_types', 1) }}
        end as line_type,
        answered_line_types,
        line_type_checked_at,
        case
            when {{ list_has('line_types', "'wireless'") }} then 'wireless'
            when {{ list_has('line_types', "'landline'") }} then 'landline'
            when {{ list_has('line_types', "'voip_fixed'") }} then 'voip_fixed'
            else 'toll_free'
        end as effective_line_type,
        line_types,
        recent_prerecorded_calls,
        pending_prerecorded_lists,
        has_prerecorded_consent,
        has_autodialed_consent,
        has_sms_consent,
        on_federal_dnc
    from joined
)

select * from final
