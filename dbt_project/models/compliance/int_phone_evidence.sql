-- R30: per phone, the events that decide the event-based rules, each as
-- {rule_id, kind, event_at, source_file, source_line}, aggregated once so list_decisions can
-- attach them to the rows they exclude: the opt-outs in force (R09, R11, C07), wrong-number
-- dispositions (R28), the prerecorded calls and published lists the cap counts (R13), and
-- the line-type answers at the latest check (rule_id NULL: list_decisions names the
-- line-type or consent rule they decided).
--
-- Every row is derived from its number's inputs alone, so an incremental run rebuilds only
-- the numbers whose inputs changed (macros/number_delta.sql, docs/performance.md).
{{ config(
    materialized='incremental' if decisions_delta() else 'table',
    incremental_strategy='append',
    pre_hook=["{{ number_delta_step('inputs', phone_evidence_inputs()) }}", "{{ number_delta_step('redo') }}",
              "{{ number_delta_step('delete') }}"],
    post_hook=["{{ number_delta_step('keep', phone_evidence_inputs()) }}"],
) }}

-- depends_on: {{ ref('int_phone_event_hashes') }}
with run as (
    select * from {{ ref('int_run') }}
),

cap_window as (
    select max(cap_days) as cap_days from {{ source('config', 'channels') }}
),

events as (
    select events.*
    from {{ ref('int_phone_events') }} as events
    cross join run
    where (events.event_at is null or events.event_at <= run.as_of) and {{ number_rebuilt('events.phone_e164') }}
),

event_rows as (
    select
        events.phone_e164,
        events.event_type,
        events.event_at,
        events.detail,
        {{ evidence_struct(
            rule_id="case
                when events.event_type = 'opt_out' then events.detail
                when events.event_type = 'disposition' then 'R28'
                when events.event_type = 'prerecorded_call' then 'R13'
            end",
            kind="case
                when events.event_type = 'line_type_check' then 'line_type_check:' || coalesce(events.detail, 'unknown')
                when events.event_type = 'disposition' then 'wrong_number'
                else events.event_type
            end",
            event_at='events.event_at',
            source_file='events.source_file',
            source_line='events.source_line',
        ) }} as evidence,
        -- The same filters as int_phone_facts: what the rules read is what the audit shows.
        case
            when events.event_type = 'opt_out' then true
            when events.event_type = 'disposition' then events.detail = 'wrong_number'
            when events.event_type = 'prerecorded_call' then
                coalesce({{ norm_text('events.caller_entity') }}, '') in ('', {{ norm_text('run.caller_entity') }})
                and (events.event_at is null or events.event_at >= run.as_of - {{ interval_days('coalesce(cap_window.cap_days, 0)') }})
            when events.event_type = 'line_type_check' then events.event_at is not null
            else false
        end as is_evidence
    from events
    cross join run
    cross join cap_window
    where events.event_type in ('opt_out', 'disposition', 'prerecorded_call', 'line_type_check')
),

latest_checks as (
    select phone_e164, max(event_at) as checked_at
    from event_rows
    where event_type = 'line_type_check' and is_evidence
    group by phone_e164
),

pending_lists as (
    select
        pending.phone_e164,
        {{ ordered_list(
            evidence_struct("'R13'", "'published_list'", 'pending.expires_at', 'pending.list_name', 'null'),
            ['pending.list_name', 'pending.expires_at']) }} as pending_list_evidence
    from {{ source('config', 'pending_prerecorded') }} as pending
    cross join run
    where pending.expires_at > run.as_of and {{ number_rebuilt('pending.phone_e164') }}
    group by pending.phone_e164
),

-- One aggregate per kind of evidence, each over its own rows, and none for a number with one
-- piece of a kind (macros/portable/structs.sql, ordered_list_per_key): a single aggregate with
-- four filtered lists per number ran out of 4 GB at ten million voters (docs/performance.md).
phones as (
    select distinct phone_e164 from event_rows
),

{%- set by_time = ['r.event_at nulls first', 'r.evidence.source_file', 'r.evidence.source_line',
                   'r.evidence.rule_id', 'r.evidence.kind'] %}

opt_out_rows as (
    select * from event_rows where event_type = 'opt_out'
),

opt_outs as (
    {{ ordered_list_per_key('opt_out_rows', 'phone_e164', 'r.evidence', by_time, 'opt_out_evidence') }}
),

wrong_number_rows as (
    select * from event_rows where event_type = 'disposition' and is_evidence
),

wrong_numbers as (
    {{ ordered_list_per_key('wrong_number_rows', 'phone_e164', 'r.evidence', by_time, 'wrong_number_evidence') }}
),

prerecorded_call_rows as (
    select * from event_rows where event_type = 'prerecorded_call' and is_evidence
),

prerecorded_calls as (
    {{ ordered_list_per_key('prerecorded_call_rows', 'phone_e164', 'r.evidence', by_time, 'prerecorded_call_evidence') }}
),

line_type_rows as (
    -- The answers at the latest readable check.
    select event_rows.*
    from event_rows
    inner join latest_checks
        on latest_checks.phone_e164 = event_rows.phone_e164 and latest_checks.checked_at = event_rows.event_at
    where event_rows.event_type = 'line_type_check'
),

line_type_checks as (
    {{ ordered_list_per_key('line_type_rows', 'phone_e164', 'r.evidence',
                            ['r.evidence.kind', 'r.evidence.source_file', 'r.evidence.source_line'], 'line_type_evidence') }}
),

aggregated as (
    select
        phones.phone_e164,
        opt_outs.opt_out_evidence,
        wrong_numbers.wrong_number_evidence,
        prerecorded_calls.prerecorded_call_evidence,
        line_type_checks.line_type_evidence
    from phones
    left join opt_outs on opt_outs.phone_e164 = phones.phone_e164
    left join wrong_numbers on wrong_numbers.phone_e164 = phones.phone_e164
    left join prerecorded_calls on prerecorded_calls.phone_e164 = phones.phone_e164
    left join line_type_checks on line_type_checks.phone_e164 = phones.phone_e164
),

final as (
    select
        coalesce(aggregated.phone_e164, pending_lists.phone_e164) as phone_e164,
        coalesce(aggregated.opt_out_evidence, {{ empty_list() }}) as opt_out_evidence,
        coalesce(aggregated.wrong_number_evidence, {{ empty_list() }}) as wrong_number_evidence,
        {{ list_cat('coalesce(aggregated.prerecorded_call_evidence, ' ~ empty_list() ~ ')',
                    'coalesce(pending_lists.pending_list_evidence, ' ~ empty_list() ~ ')') }}
            as prerecorded_cap_evidence,
        -- No readable check at all is evidence too: the rule saw none.
        coalesce(aggregated.line_type_evidence, {{ list_of([no_line_type_check_evidence()]) }}) as line_type_evidence
    from aggregated
    full outer join pending_lists on pending_lists.phone_e164 = aggregated.phone_e164
)

select * from final
