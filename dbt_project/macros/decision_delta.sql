{#- list_decisions decided again for the numbers whose inputs changed, and only those
    (docs/performance.md, "Decisions decided again per number"). Every row of list_decisions
    is decided from its number's rows alone: the number's eligibility, facts, evidence,
    consent checks, holders, state DNC rows and erasure, the contacts holding it with their
    segment rows, and the run's settings (C05 and R13 compare rows of one number only). So a
    number whose inputs hash the same as when its rows were decided keeps those rows.

    An incremental `outreach run` sets OUTREACH_DECISIONS_DELTA=true for dbt (assets/dbt.py);
    any other build decides every number. The hashes the rows were decided from are kept in
    incremental_state.list_decisions_inputs, written in the same transaction as list_decisions. -#}

{% macro decisions_delta() -%}
{{ return(env_var('OUTREACH_DECISIONS_DELTA', '') == 'true') }}
{%- endmacro %}

{#- This build of list_decisions is a delta one: switched on, and the table there to add to.
    The switch first: a unit test has no `this` for is_incremental() to look at. -#}
{% macro deciding_changed_numbers() -%}
{{ return(decisions_delta() and is_incremental()) }}
{%- endmacro %}

{#- One row per number on a configured list's segment (contacts without a number under ''),
    with a sum of the hashes of every row list_decisions reads for it, the run's settings
    included. A sum, not an xor: two equal rows do not cancel. Whole rows are hashed, so a
    column list_decisions starts reading later is covered already. -#}
{% macro list_decision_inputs() -%}
with configured_segments as (
    select distinct segment from {{ source('config', 'lists') }}
),

-- list_members reads each contact's voter-file id too: a number whose rows are decided again
-- gets its list rows again (list_members_delta_step).
voter_ids as (
    select voter_key, min(state_voter_id) as state_voter_id from {{ ref('int_voters') }} group by voter_key
),

contact_inputs as (
    select
        coalesce(contacts.phone_e164, '') as phone_e164,
        sum(hash('contact', contacts, members, voter_ids.state_voter_id)::hugeint) as inputs_hash
    from {{ ref('segment_members') }} as members
    inner join {{ ref('int_contacts') }} as contacts on contacts.contact_id = members.contact_id
    left join voter_ids on voter_ids.voter_key = contacts.voter_key
    where members.segment in (select segment from configured_segments)
    group by 1
),

number_rows as (
    select phone_e164, hash('eligibility', t)::hugeint as row_hash from {{ ref('phone_channel_eligibility') }} as t
    union all
    select phone_e164, hash('facts', t)::hugeint from {{ ref('int_phone_facts') }} as t
    union all
    select phone_e164, hash('evidence', t)::hugeint from {{ ref('int_phone_evidence') }} as t
    union all
    -- All but the scope's last dial time, as-of plus hours, which list_decisions does not read:
    -- it would decide every consented number again at every as-of (R16's test of the answer's
    -- age against it is in the row's other columns).
    select phone_e164, hash('consent', t)::hugeint from (
        select * exclude (expires_at) from {{ ref('int_consent_checks') }}
    ) as t
    union all
    select phone_e164, hash('holders', t)::hugeint from {{ ref('int_phone_holders') }} as t
    union all
    select phone_e164, hash('dnc', t)::hugeint from {{ ref('int_dnc_status') }} as t
    union all
    select distinct phone_e164, hash('erased', phone_e164)::hugeint
    from {{ source('ledger', 'erasures') }} where phone_e164 is not null
),

number_inputs as (
    select phone_e164, sum(row_hash) as inputs_hash from number_rows group by phone_e164
),

settings as (
    {{ settings_hash(['lists', 'channels', 'purposes', 'state_rules', 'window_overrides']) }}
)

select
    contact_inputs.phone_e164,
    contact_inputs.inputs_hash + coalesce(number_inputs.inputs_hash, 0) + settings.inputs_hash as inputs_hash
from contact_inputs
left join number_inputs using (phone_e164)
cross join settings
{%- endmacro %}

{#- The schema is created once, when the run starts (on-run-start): models building side by
    side would each create it in their own transaction, and DuckDB refuses the second. -#}
{% macro incremental_state_schema() -%}
{%- if target.type == 'duckdb' -%}
create schema if not exists {{ target.database }}.incremental_state
{%- endif -%}
{%- endmacro %}

{#- incremental_state.<name>: what a build keeps for the next one. -#}
{% macro incremental_state_relation(name) -%}
{{ return(api.Relation.create(database=this.database, schema='incremental_state', identifier=name)) }}
{%- endmacro %}

{#- After a delta build, the kept hashes of the numbers redone are replaced by this build's
    (a number gone from the inputs loses its row); the others are equal already. Rewriting
    every number's hash took seconds per model at 10M. Without kept hashes every number was
    redone, so all of this build's hashes are written. -#}
{% macro keep_changed_hashes(relation, now, redo) -%}
create table if not exists {{ relation }} as select * from temp.{{ now }} where false;
delete from {{ relation }} where phone_e164 in (select phone_e164 from temp.{{ redo }});
insert into {{ relation }} select * from temp.{{ now }} where phone_e164 in (select phone_e164 from temp.{{ redo }})
{%- endmacro %}

{#- Asked of the database when the hook runs, not of dbt's cache of relations: that cache
    does not know the tables an earlier model's hooks wrote in the same build. -#}
{% macro table_exists(relation) -%}
{%- if not execute -%}{{ return(false) }}{%- endif -%}
{%- set found = run_query(
    "select count(*) from information_schema.tables where table_catalog = '" ~ relation.database
    ~ "' and table_schema = '" ~ relation.schema ~ "' and table_name = '" ~ relation.identifier ~ "'") -%}
{{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- list_decisions' hooks. Before a delta build: this run's hashes, the numbers whose hash
    differs from the kept one (or that appear on one side only), the generation being
    replaced, and the numbers' rows deleted. After any DuckDB build: the hashes kept
    (keep), and for list_members the numbers decided again with this build's
    generation (keep_redo, keep_generation; a build of every number leaves no numbers and
    says so). Without kept hashes every number is redone. (DuckDB's insertion order is off for
    every model: profiles.yml.) -#}
{% macro list_decisions_delta_step(step) -%}
{%- if step in ('inputs', 'redo', 'delete', 'keep') -%}
{{ number_delta_step(step, list_decision_inputs() if step in ('inputs', 'keep') else none) }}
{%- elif step == 'previous' and deciding_changed_numbers() -%}
{#- Asked only by the step that uses it: one query. -#}
{%- set kept = table_exists(number_inputs_relation()) -%}
{%- set generation = incremental_state_relation('list_decisions_generation') -%}
create or replace temp table list_decisions_previous as
select
    {% if not table_exists(generation) %}null::varchar{% else %}(select max(generation) from {{ generation }}){% endif %} as generation,
    {{ 'false' if kept else 'true' }} as every_number
{%- elif step == 'keep_redo' and target.type == 'duckdb' -%}
create or replace table {{ incremental_state_relation('list_decisions_redo') }} as
{% if deciding_changed_numbers() -%}
select phone_e164 from temp.list_decisions_redo
{%- else -%}
select null::varchar as phone_e164 where false
{%- endif %}
{%- elif step == 'keep_generation' and target.type == 'duckdb' -%}
create or replace table {{ incremental_state_relation('list_decisions_generation') }} as
select '{{ invocation_id }}' as generation,
{% if deciding_changed_numbers() -%}
    previous.generation as previous, previous.every_number from temp.list_decisions_previous as previous
{%- else -%}
    null::varchar as previous, true as every_number
{%- endif %}
{%- endif -%}
{%- endmacro %}

{#- list_members rebuilt only for the numbers list_decisions decided again: its other inputs
    (contacts, voter ids, the window settings) are in the hashes those numbers were picked by.
    Only when list_members was built from the generation of list_decisions this build
    replaced, and that build picked numbers; otherwise every row is rebuilt. -#}
{% macro list_members_delta_step(step) -%}
{%- set source = incremental_state_relation('list_members_source') -%}
{%- set generation = incremental_state_relation('list_decisions_generation') -%}
{%- set redo = incremental_state_relation('list_decisions_redo') -%}
{%- if step == 'plan' and deciding_changed_numbers() -%}
create or replace temp table list_members_plan as
select
{%- if table_exists(source) and table_exists(generation) and table_exists(redo) %}
    coalesce((select max(generation) from {{ source }}) = (select max(previous) from {{ generation }}), false)
    and not coalesce((select bool_or(every_number) from {{ generation }}), true)
{%- else %}
    false
{%- endif %} as partial
{%- elif step == 'delete' and deciding_changed_numbers() -%}
delete from {{ this }} where {{ member_redone('phone_e164') }}
{%- elif step == 'keep' and target.type == 'duckdb' -%}
create or replace table {{ source }} as
{% if not table_exists(generation) -%}
select null::varchar as generation
{%- else -%}
select generation from {{ generation }}
{%- endif %}
{%- endif -%}
{%- endmacro %}

{#- true, or (when list_members is built for the changed numbers) the test that `column` is a
    number whose rows are built again. -#}
{% macro member_redone(column) -%}
{%- if not deciding_changed_numbers() -%}
true
{%- else -%}
{#- Only here: a unit test has no `this` to name the relation by. -#}
{%- set redo = incremental_state_relation('list_decisions_redo') -%}
{%- if not table_exists(redo) -%}
not (select partial from temp.list_members_plan)
{%- else -%}
(not (select partial from temp.list_members_plan) or {{ column }} in (select phone_e164 from {{ redo }}))
{%- endif -%}
{%- endif -%}
{%- endmacro %}
