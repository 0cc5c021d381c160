{#- The compliance models keyed by number (int_phone_facts, int_phone_evidence,
    phone_channel_eligibility; list_decisions takes the same steps through
    list_decisions_delta_step) rebuilt for the numbers whose inputs changed, and only those
    (docs/performance.md, "Compliance models per source family and per number"). Each row is
    derived from its own number's rows alone plus the run's settings, so a number whose inputs
    hash the same as when its rows were built keeps them.

    The same switch as list_decisions (decisions_delta: OUTREACH_DECISIONS_DELTA, set by an
    incremental `outreach run` when no setting changed); any other build rebuilds every
    number. Each model keeps its hashes in incremental_state.<model>_inputs, written in the
    same transaction as the model. -#}

{#- incremental_state.<this model>_inputs. Outside main: not a model, and not the erasure
    sweep's to remove rows from (the sweep makes the next build full, which writes them anew). -#}
{% macro number_inputs_relation() -%}
{{ return(incremental_state_relation(this.identifier ~ '_inputs')) }}
{%- endmacro %}

{#- A model's hooks. Before a delta build: this run's hashes (`inputs`: one row per number,
    phone_e164 and inputs_hash), the numbers whose hash differs from the kept one or that
    appear on one side only (redo), and their rows deleted. After any DuckDB build: the
    hashes kept. Without kept hashes every number is redone. -#}
{% macro number_delta_step(step, inputs) -%}
{%- set relation = number_inputs_relation() -%}
{%- set now = this.identifier ~ '_inputs_now' -%}
{%- set redo = this.identifier ~ '_redo' -%}
{%- set delta = deciding_changed_numbers() -%}
{%- set kept = delta and step in ('redo', 'delete') and table_exists(relation) -%}
{%- if step == 'keep' and target.type == 'duckdb' -%}
{% if delta -%}
{{ keep_changed_hashes(relation, now, redo) }}
{%- else -%}
create or replace table {{ relation }} as
{{ inputs }}
{%- endif %}
{%- elif delta and step == 'inputs' -%}
create or replace temp table {{ now }} as
{{ inputs }}
{%- elif delta and step == 'redo' -%}
create or replace temp table {{ redo }} as
{% if not kept -%}
select phone_e164 from temp.{{ now }}
{%- else -%}
select coalesce(now.phone_e164, before.phone_e164) as phone_e164
from temp.{{ now }} as now
full outer join {{ relation }} as before on before.phone_e164 = now.phone_e164
where now.inputs_hash is distinct from before.inputs_hash
{%- endif %}
{%- elif delta and step == 'delete' -%}
delete from {{ this }}
{%- if kept %} where coalesce(phone_e164, '') in (select phone_e164 from temp.{{ redo }}){% endif %}
{%- endif -%}
{%- endmacro %}

{#- true, or (in a delta build of this model) the test that `column` is a number rebuilt. -#}
{% macro number_rebuilt(column) -%}
{%- if deciding_changed_numbers() -%}
coalesce({{ column }}, '') in (select phone_e164 from temp.{{ this.identifier }}_redo)
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{#- Per number, the sum of the hashes of the rows the caller's query gives (phone_e164 and
    row_hash, one row per input row), plus the hash of the run's settings the three models
    read. A sum, not an xor: two equal rows do not cancel. Whole rows are hashed, so a column
    read later is covered already. -#}
{% macro number_inputs() -%}
with number_rows as (
{{ caller() }}
),

settings as (
    {{ settings_hash(['channels']) }}
)

select number_rows.phone_e164, sum(number_rows.row_hash) + any_value(settings.inputs_hash) as inputs_hash
from number_rows
cross join settings
group by number_rows.phone_e164
{%- endmacro %}

{#- One row, inputs_hash: the sum of the hashes of every row of the named config tables, of
    int_run and of the disabled test rule, the settings every per-number model reads.

    All of int_run but the as-of. The per-number models read the as-of only in time tests of
    a number's own rows (an event in effect, a prerecorded call in the cap window, a pending
    list unexpired, a line-type check fresh at the dial time), and each such row is hashed
    with the outcomes of its tests. So a run at a later as-of rebuilds the numbers whose
    thresholds it crossed, not every number; a row holding the as-of itself (an event whose
    time is unreadable) changes its number's hash at every as-of. -#}
{% macro settings_hash(config_tables) -%}
select sum(row_hash) as inputs_hash from (
{%- for name in config_tables %}
    select hash('{{ name }}', t)::hugeint as row_hash from {{ source('config', name) }} as t
    union all
{%- endfor %}
    select hash('run', t)::hugeint from (select * exclude (as_of) from {{ ref('int_run') }}) as t
    union all
    select hash('disabled_rule', '{{ disabled_rule() | replace("'", "''") }}')::hugeint
) as settings_rows
{%- endmacro %}

{#- int_phone_facts reads, per number: whether a contact holds it, its events, its pending
    prerecorded lists, its valid consents and its do-not-call rows. -#}
{% macro phone_facts_inputs() -%}
{%- call number_inputs() -%}
    select distinct coalesce(phone_e164, '') as phone_e164, hash('contact', phone_e164)::hugeint as row_hash
    from {{ ref('int_contacts') }} where phone_e164 is not null
    union all
    select phone_e164, hash('events', events_hash)::hugeint from {{ ref('int_phone_event_hashes') }}
    union all
    select coalesce(phone_e164, ''), {{ pending_list_hash() }} from {{ source('config', 'pending_prerecorded') }} as t
    cross join {{ ref('int_run') }} as run
    union all
    select coalesce(phone_e164, ''), hash('consent', t)::hugeint from {{ ref('int_valid_consents') }} as t
    union all
    select coalesce(phone_e164, ''), hash('dnc', t)::hugeint from {{ ref('int_dnc_status') }} as t
{%- endcall -%}
{%- endmacro %}

{#- int_phone_evidence reads, per number: its events and its pending prerecorded lists. -#}
{% macro phone_evidence_inputs() -%}
{%- call number_inputs() -%}
    select phone_e164, hash('events', events_hash)::hugeint as row_hash from {{ ref('int_phone_event_hashes') }}
    union all
    select coalesce(phone_e164, ''), {{ pending_list_hash() }} from {{ source('config', 'pending_prerecorded') }} as t
    cross join {{ ref('int_run') }} as run
{%- endcall -%}
{%- endmacro %}

{#- A pending list (config.pending_prerecorded as t), with whether it is unexpired at the as-of. -#}
{% macro pending_list_hash() -%}
hash('pending', t, t.expires_at > run.as_of)::hugeint
{%- endmacro %}

{#- phone_channel_eligibility reads, per number: its facts, and R05's test of the line-type
    check's age at each channel's dial time. -#}
{% macro channel_eligibility_inputs() -%}
{%- call number_inputs() -%}
    select
        coalesce(facts.phone_e164, '') as phone_e164,
        hash('facts', facts, {{ list_map('r05.fresh_from', 'fresh_from', 'facts.line_type_checked_at < fresh_from') }})::hugeint
            as row_hash
    from {{ ref('int_phone_facts') }} as facts
    cross join (
        -- A check before one of these is too old for some channel: the dial time (as-of plus
        -- expires_hours) less the maximum age, as phone_channel_eligibility computes it.
        select list_sort(list(distinct run.as_of + {{ interval_hours('channels.expires_hours') }}
                              - {{ interval_days('channels.line_type_max_age_days') }})) as fresh_from
        from {{ source('config', 'channels') }} as channels
        cross join {{ ref('int_run') }} as run
        where channels.line_type_max_age_days is not null
    ) as r05
{%- endcall -%}
{%- endmacro %}
