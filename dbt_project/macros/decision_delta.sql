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

{#- Outside main: not a model, and not the sweep's to remove rows from (list_decisions keeps
    an erased number's rows too, as evidence). -#}
{% macro decision_inputs_relation() -%}
{{ return(api.Relation.create(database=this.database, schema='incremental_state', identifier='list_decisions_inputs')) }}
{%- endmacro %}

{#- true, or (in a delta build) the test that `column` is a number decided again. -#}
{% macro decided_again(column) -%}
{%- if deciding_changed_numbers() -%}
coalesce({{ column }}, '') in (select phone_e164 from temp.list_decisions_redo)
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{#- One row per number on a configured list's segment (contacts without a number under ''),
    with a sum of the hashes of every row list_decisions reads for it, the run's settings
    included. A sum, not an xor: two equal rows do not cancel. Whole rows are hashed, so a
    column list_decisions starts reading later is covered already. -#}
{% macro list_decision_inputs() -%}
with configured_segments as (
    select distinct segment from {{ source('config', 'lists') }}
),

contact_inputs as (
    select
        coalesce(contacts.phone_e164, '') as phone_e164,
        sum(hash('contact', contacts, members)::hugeint) as inputs_hash
    from {{ ref('segment_members') }} as members
    inner join {{ ref('int_contacts') }} as contacts on contacts.contact_id = members.contact_id
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
    select phone_e164, hash('consent', t)::hugeint from {{ ref('int_consent_checks') }} as t
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

settings_rows as (
    select hash('lists', t)::hugeint as row_hash from {{ source('config', 'lists') }} as t
    union all
    select hash('channels', t)::hugeint from {{ source('config', 'channels') }} as t
    union all
    select hash('purposes', t)::hugeint from {{ source('config', 'purposes') }} as t
    union all
    select hash('state_rules', t)::hugeint from {{ source('config', 'state_rules') }} as t
    union all
    select hash('run', t)::hugeint from {{ ref('int_run') }} as t
    union all
    select hash('disabled_rule', '{{ disabled_rule() | replace("'", "''") }}')::hugeint
),

settings as (
    select sum(row_hash) as inputs_hash from settings_rows
)

select
    contact_inputs.phone_e164,
    contact_inputs.inputs_hash + coalesce(number_inputs.inputs_hash, 0) + settings.inputs_hash as inputs_hash
from contact_inputs
left join number_inputs using (phone_e164)
cross join settings
{%- endmacro %}

{#- list_decisions' hooks. Before a delta build: this run's hashes, the numbers whose hash
    differs from the kept one (or that appear on one side only), and their rows deleted.
    After any DuckDB build: the hashes kept (keep_schema, keep). Without kept hashes every
    number is redone. -#}
{% macro list_decisions_delta_step(step) -%}
{%- set relation = decision_inputs_relation() -%}
{%- set kept = adapter.get_relation(database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
{%- set delta = deciding_changed_numbers() -%}
{%- if step == 'keep_schema' and target.type == 'duckdb' -%}
create schema if not exists {{ relation.database }}.{{ relation.schema }}
{%- elif step == 'keep' and target.type == 'duckdb' -%}
create or replace table {{ relation }} as
{% if delta -%}
select * from temp.list_decisions_inputs_now
{%- else -%}
{{ list_decision_inputs() }}
{%- endif %}
{%- elif delta and step == 'inputs' -%}
create or replace temp table list_decisions_inputs_now as
{{ list_decision_inputs() }}
{%- elif delta and step == 'redo' -%}
create or replace temp table list_decisions_redo as
{% if kept is none -%}
select phone_e164 from temp.list_decisions_inputs_now
{%- else -%}
select coalesce(now.phone_e164, before.phone_e164) as phone_e164
from temp.list_decisions_inputs_now as now
full outer join {{ kept }} as before on before.phone_e164 = now.phone_e164
where now.inputs_hash is distinct from before.inputs_hash
{%- endif %}
{%- elif delta and step == 'delete' -%}
delete from {{ this }}
{%- if kept is not none %} where coalesce(phone_e164, '') in (select phone_e164 from temp.list_decisions_redo){% endif %}
{%- endif -%}
{%- endmacro %}
