-- One row per configured list and segment member: included, or excluded with the ids of
-- every rule that kept the number out and the events that decided them (R30, the audit
-- behind each publish). Number-level rules come from phone_channel_eligibility; here are
-- added the person's rules (C02, C03), the rules that belong to the number's holders
-- (C01: any confidential or exempt record holding the number; state rules R22, R23 and the
-- state DNC lists when any holder resides in the state or the area code is there), the
-- purpose rules (R20, R26), numbers whose person asked to be forgotten (C08: excluded, and
-- their names never copied here), one row per phone (C05) and, last, the prerecorded cap
-- across this run's lists in lists.yaml order (R13, "counting this one").
--
-- Every row is decided from its number's inputs alone, so an incremental run decides again
-- only the numbers whose inputs changed (macros/decision_delta.sql, docs/performance.md).
{{ config(
    materialized='incremental' if decisions_delta() else 'table',
    incremental_strategy='append',
    pre_hook=["{{ list_decisions_delta_step('inputs') }}", "{{ list_decisions_delta_step('redo') }}",
              "{{ list_decisions_delta_step('previous') }}", "{{ list_decisions_delta_step('delete') }}"],
    post_hook=["{{ list_decisions_delta_step('keep') }}",
               "{{ list_decisions_delta_step('keep_redo') }}", "{{ list_decisions_delta_step('keep_generation') }}"],
) }}

with lists as (
    select * from {{ source('config', 'lists') }}
),

members as (
    select * from {{ ref('segment_members') }}
),

holders as (
    select * from {{ ref('int_phone_holders') }} where {{ number_rebuilt('phone_e164') }}
),

eligibility as (
    select * from {{ ref('phone_channel_eligibility') }} where {{ number_rebuilt('phone_e164') }}
),

facts as (
    select phone_e164, on_federal_dnc from {{ ref('int_phone_facts') }} where {{ number_rebuilt('phone_e164') }}
),

evidence as (
    select * from {{ ref('int_phone_evidence') }} where {{ number_rebuilt('phone_e164') }}
),

consent_checks as (
    select * from {{ ref('int_consent_checks') }} where {{ number_rebuilt('phone_e164') }}
),

channels as (
    -- The rules whose evidence is the line-type answers, and those whose evidence is the
    -- consent row, in rule-id order: per channel here, not built and sorted per decision row.
    select
        *,
        {{ list_sorted_distinct(list_of(['line_type_rule_id', "'R05'", 'consent_rule_id', "'R24'"])) }}
            as line_type_evidence_rules,
        {{ list_sorted_distinct(list_of(['consent_rule_id', "'R24'", "'R22'"])) }} as consent_evidence_rules
    from {{ source('config', 'channels') }}
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

prerecorded_consent_states as (
    select state from {{ source('config', 'state_rules') }} where rule = 'prerecorded_consent'
),

erasures as (
    -- `outreach forget`: the ledger keeps the number forever; any spelling of it in a later
    -- file normalizes to this E.164 form before it gets here.
    select distinct phone_e164 from {{ source('ledger', 'erasures') }} where phone_e164 is not null
),

commercial_forbidden_states as (
    select distinct state from state_rules where rule = 'commercial_forbidden_voter'
),

state_dnc as (
    select * from {{ ref('int_dnc_status') }} where dnc_list <> 'federal' and {{ number_rebuilt('phone_e164') }}
),

contact_states as (
    -- One row per contact: the states its number answers to (every holder's residence, the
    -- contact's own residence and the area code's state) and the fields the list rows show.
    -- The only read of int_contacts, so its wide rows are not kept for a second pass.
    select
        voters.contact_id,
        voters.phone_e164,
        voters.source_state,
        voters.voter_rule_ids,
        voters.first_name,
        voters.last_name,
        coalesce(voters.residence_state, voters.area_code_state) as state,
        voters.time_zone,
        coalesce(holders.held_by_confidential_record, false) as held_by_confidential_record,
        {{ list_sorted_distinct(list_keep(
            list_cat('coalesce(holders.residence_states, ' ~ empty_text_list() ~ ')',
                     list_of(['voters.residence_state', 'voters.area_code_state'])),
            'state', 'state is not null')) }} as rule_states
    from {{ ref('int_contacts') }} as voters
    left join holders using (phone_e164)
    where {{ number_rebuilt('voters.phone_e164') }}
),

contact_state_rows as (
    select contact_id, phone_e164, {{ unnest_list('rule_states') }} as state
    from contact_states
),

contact_state_flags as (
    select
        contact_state_rows.contact_id,
        bool_or(prerecorded_consent_states.state is not null) as in_prerecorded_consent_state,
        bool_or(contact_state_rows.state = 'NH') as in_new_hampshire,
        bool_or(state_dnc.phone_e164 is not null) as on_state_dnc
    from contact_state_rows
    left join prerecorded_consent_states on prerecorded_consent_states.state = contact_state_rows.state
    left join state_dnc
        on state_dnc.phone_e164 = contact_state_rows.phone_e164 and state_dnc.dnc_list = contact_state_rows.state
    group by contact_state_rows.contact_id
),

contact_rule_facts as (
    -- What the person's and the holders' rules need, once per contact rather than once per
    -- list the contact is on.
    select
        contact_states.contact_id,
        contact_states.phone_e164,
        contact_states.voter_rule_ids,
        contact_states.held_by_confidential_record,
        coalesce(contact_state_flags.in_prerecorded_consent_state, false) as in_prerecorded_consent_state,
        coalesce(contact_state_flags.in_new_hampshire, false) as in_new_hampshire,
        coalesce(contact_state_flags.on_state_dnc, false) as on_state_dnc,
        coalesce(facts.on_federal_dnc, false) as on_federal_dnc,
        erasures.phone_e164 is not null as is_erased,
        commercial_forbidden_states.state is not null as from_commercial_forbidden_state
    from contact_states
    left join contact_state_flags using (contact_id)
    left join facts on facts.phone_e164 = contact_states.phone_e164
    left join erasures on erasures.phone_e164 = contact_states.phone_e164
    left join commercial_forbidden_states on commercial_forbidden_states.state = contact_states.source_state
),

list_settings as (
    -- One row per configured list with its channel's and purpose's settings.
    select
        lists.name as list_name,
        lists.list_order,
        lists.segment,
        lists.effective_channel as channel,
        lists.purpose,
        lists.live_operator_intro,
        channels.state_rules as channel_has_state_rules,
        channels.consent_scope,
        channels.cap_calls,
        channels.cap_exempt_with_consent,
        channels.line_type_evidence_rules,
        channels.consent_evidence_rules,
        purposes.dnc_scrub,
        purposes.voter_states_restricted
    from lists
    inner join channels on channels.channel = lists.effective_channel
    inner join purposes on purposes.purpose = lists.purpose
),

candidates as (
    select
        list_settings.*,
        members.contact_id,
        members.score,
        contact_rule_facts.phone_e164,
        contact_rule_facts.voter_rule_ids,
        contact_rule_facts.held_by_confidential_record,
        contact_rule_facts.in_prerecorded_consent_state,
        contact_rule_facts.in_new_hampshire,
        contact_rule_facts.on_state_dnc,
        contact_rule_facts.on_federal_dnc,
        contact_rule_facts.is_erased,
        contact_rule_facts.from_commercial_forbidden_state,
        coalesce(eligibility.rule_ids, {{ empty_text_list() }}) as number_rule_ids,
        coalesce(eligibility.has_channel_consent, false) as has_channel_consent,
        coalesce(eligibility.prerecorded_calls_counted, 0) as prerecorded_calls_counted,
        eligibility.phone_e164 is not null as is_evaluated,
        eligibility.effective_line_type
    from list_settings
    inner join members on members.segment = list_settings.segment
    inner join contact_rule_facts using (contact_id)
    left join eligibility
        on eligibility.phone_e164 = contact_rule_facts.phone_e164 and eligibility.channel = list_settings.channel
),

ruled as (
    -- Narrow on purpose: referenced twice, so DuckDB keeps these rows; the list's settings and
    -- the contact's fields are joined back at the end.
    select
        candidates.list_name,
        candidates.contact_id,
        candidates.phone_e164,
        candidates.score,
        candidates.is_erased,
        candidates.effective_line_type,
        candidates.has_channel_consent,
        candidates.prerecorded_calls_counted,
        {%- set rule_checks = [
            "case when held_by_confidential_record then 'C01' end",
            "case when is_erased then 'C08' end",
            "case when phone_e164 is not null and not is_evaluated then 'C06' end",
            "case when channel_has_state_rules and in_prerecorded_consent_state
                      and not has_channel_consent and not live_operator_intro then 'R22' end",
            "case when channel_has_state_rules and run.nh_prerecorded_federal_dnc and on_federal_dnc
                      and in_new_hampshire then 'R23' end",
            "case when dnc_scrub and (on_federal_dnc or on_state_dnc) then 'R20' end",
            "case when voter_states_restricted and from_commercial_forbidden_state then 'R26' end",
        ] %}
        {#- C06 is a safeguard: a number the channel rules never evaluated is not contacted. #}
        {{ without_disabled_rule(list_sorted_distinct(list_cat('voter_rule_ids',
            list_cat('number_rule_ids', list_keep(list_of(rule_checks), 'x', 'x is not null'))))) }} as rule_ids
    from candidates
    cross join run
),

best_scores as (
    -- The best score of each list and phone among the rows no rule excludes (a scored row before
    -- an unscored one), with the consent and the calls counted, which belong to the (phone,
    -- channel) and so are the same on every row of a group. Fixed-size aggregates: an arg_min
    -- keyed by a struct held a state per group in memory that DuckDB cannot spill, and
    -- list_decisions ran out of 4 GB at ten million voters (docs/performance.md).
    select
        list_name,
        phone_e164,
        bool_or(score is not null) as any_scored,
        max(score) as best_score,
        bool_or(has_channel_consent) as has_channel_consent,
        max(prerecorded_calls_counted) as prerecorded_calls_counted
    from ruled
    where {{ list_size('rule_ids') }} = 0
    group by list_name, phone_e164
),

best_members as (
    -- CONTRACT rule 10: a shared household phone is contacted once, for its best-scored member
    -- (highest score, then lowest contact id), among the rows no rule excludes. Aggregates by
    -- list and phone, not a window over every decision row.
    select
        ruled.list_name,
        {%- if disabled_rule() == 'C05' %}
        ruled.contact_id,
        {%- else %}
        min(ruled.contact_id) as contact_id,
        {%- endif %}
        ruled.phone_e164,
        best_scores.has_channel_consent,
        best_scores.prerecorded_calls_counted
    from ruled
    inner join best_scores
        on best_scores.list_name = ruled.list_name and best_scores.phone_e164 is not distinct from ruled.phone_e164
    where {{ list_size('ruled.rule_ids') }} = 0
    {%- if disabled_rule() != 'C05' %}
      and case when best_scores.any_scored then ruled.score = best_scores.best_score else ruled.score is null end
    group by ruled.list_name, ruled.phone_e164, best_scores.has_channel_consent, best_scores.prerecorded_calls_counted
    {%- endif %}
),

capped as (
    -- R13 across lists: among this run's lists whose channel has a cap, in lists.yaml order, a
    -- number enters the k-th list that would include it only while calls counted (history and
    -- pending published lists) + k <= cap. Consented numbers are exempt when the policy says so.
    select
        best_members.list_name,
        best_members.contact_id,
        best_members.prerecorded_calls_counted
            + dense_rank() over (partition by best_members.phone_e164 order by list_settings.list_order)
            > list_settings.cap_calls as over_cap,
        {{ list_over('best_members.list_name') }} over (
            partition by best_members.phone_e164 order by list_settings.list_order, best_members.list_name
            rows between unbounded preceding and 1 preceding
        ) as earlier_lists,
        list_settings.cap_calls - best_members.prerecorded_calls_counted as lists_within_cap
    from best_members
    inner join list_settings using (list_name)
    where list_settings.cap_calls is not null
      and not (list_settings.cap_exempt_with_consent and best_members.has_channel_consent)
),

chosen as (
    -- The rows in before the cap (one per list and phone), with their place under it.
    select
        best_members.list_name,
        best_members.contact_id,
        coalesce(capped.over_cap, false) as over_cap,
        capped.earlier_lists,
        capped.lists_within_cap
    from best_members
    left join capped on capped.list_name = best_members.list_name and capped.contact_id = best_members.contact_id
),

decided as (
    select
        ruled.list_name,
        ruled.contact_id,
        ruled.phone_e164,
        ruled.score,
        ruled.is_erased,
        ruled.effective_line_type,
        case
            {%- if disabled_rule() != 'C05' %}
            when {{ list_size('ruled.rule_ids') }} = 0 and chosen.contact_id is null then {{ list_of(["'C05'"]) }}
            {%- endif %}
            {%- if disabled_rule() != 'R13' %}
            when coalesce(chosen.over_cap, false) then {{ list_of(["'R13'"]) }}
            {%- endif %}
            else ruled.rule_ids
        end as rule_ids,
        {{ list_size('ruled.rule_ids') }} = 0 and chosen.contact_id is not null
            {% if disabled_rule() != 'R13' %}and not coalesce(chosen.over_cap, false){% endif %} as included,
        -- Earlier lists of this run that include the number and so count toward its cap.
        {{ list_map(list_head('coalesce(chosen.earlier_lists, ' ~ empty_text_list() ~ ')',
                              'greatest(coalesce(chosen.lists_within_cap, 0), 0)'),
                    'earlier', evidence_struct("'R13'", "'earlier_list'", 'null', 'earlier', 'null')) }} as earlier_list_evidence
    from ruled
    left join chosen on chosen.list_name = ruled.list_name and chosen.contact_id = ruled.contact_id
),

evidenced as (
    select
        decided.*,
        list_settings.segment,
        list_settings.channel,
        list_settings.purpose,
        {%- set opt_outs = list_keep('coalesce(evidence.opt_out_evidence, ' ~ empty_list() ~ ')', 'e', list_has('decided.rule_ids', 'e.rule_id')) %}
        {%- set wrong_numbers = "case when " ~ list_has('decided.rule_ids', "'R28'") ~ " then evidence.wrong_number_evidence end" %}
        {%- set cap = "case when " ~ list_has('decided.rule_ids', "'R13'") ~ " then "
            ~ list_cat('coalesce(evidence.prerecorded_cap_evidence, ' ~ empty_list() ~ ')', 'decided.earlier_list_evidence') ~ " end" %}
        {#- The line-type answers each line-type dependent rule used. A struct literal, not
            struct_update: DuckDB 1.4 and 1.5 fail with an internal error on struct_update of an
            outer lambda's parameter inside a nested lambda. #}
        {%- set line_types = list_flatten(list_map(
            list_keep('list_settings.line_type_evidence_rules', 'rule', list_has('decided.rule_ids', 'rule')),
            'rule', list_map('coalesce(evidence.line_type_evidence, ' ~ list_of([no_line_type_check_evidence()]) ~ ')',
                             'e', evidence_struct('rule', 'e.kind', 'e.event_at', 'e.source_file', 'e.source_line')))) %}
        {#- The consent row the consent rules looked at (and its RND answer), or none. #}
        {%- set consent_rows = list_keep(list_of([
                evidence_struct('rule', "consent_checks.latest_event || ':' || coalesce(consent_checks.invalid_reason, 'valid')",
                                'consent_checks.consented_at', 'consent_checks.source_file', 'consent_checks.source_line'),
                "case when consent_checks.rnd_result is not null then "
                    ~ evidence_struct('rule', "'rnd_answer:' || consent_checks.rnd_result", 'consent_checks.rnd_queried_at',
                                      'consent_checks.rnd_source_file', 'consent_checks.rnd_source_line') ~ " end",
            ]), 'e', 'e is not null') %}
        {%- set consents = list_flatten(list_map(
            list_keep('list_settings.consent_evidence_rules', 'rule', list_has('decided.rule_ids', 'rule')),
            'rule', "case when consent_checks.phone_e164 is null then "
                ~ list_of([evidence_struct('rule', "'no_consent'", 'null', 'null', 'null')])
                ~ " else " ~ consent_rows ~ " end")) %}
        case when decided.included then {{ empty_list() }}
            else {{ list_flatten(list_of([opt_outs, wrong_numbers, cap, line_types, consents])) }} end as evidence
    from decided
    inner join list_settings using (list_name)
    left join evidence on evidence.phone_e164 = decided.phone_e164
    left join consent_checks
        on consent_checks.phone_e164 = decided.phone_e164 and consent_checks.scope = list_settings.consent_scope
),

final as (
    -- The names, states and time zone are joined here, once, after the ranking and the cap.
    select
        evidenced.list_name,
        evidenced.segment,
        evidenced.channel,
        evidenced.purpose,
        evidenced.contact_id,
        evidenced.phone_e164,
        evidenced.score,
        evidenced.rule_ids,
        evidenced.included,
        -- The decision row stays (the number's exclusion is evidence); the person's name goes.
        case when not evidenced.is_erased then contact_states.first_name end as first_name,
        case when not evidenced.is_erased then contact_states.last_name end as last_name,
        contact_states.state,
        contact_states.rule_states,
        contact_states.time_zone,
        evidenced.effective_line_type,
        evidenced.evidence
    from evidenced
    inner join contact_states using (contact_id)
)

select * from final
-- One list's rows together: each list's step reads only its own (docs/performance.md).
{{ stored_in_order_of(['list_name']) }}
