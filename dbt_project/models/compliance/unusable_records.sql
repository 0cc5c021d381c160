-- Records that were read but cannot be used, with the reason: nothing is dropped silently.
-- (Lines that could not be read at all are in raw.quarantine.)
--
-- A view over one table per source (unusable/): an incremental run rebuilds only the sources
-- that changed, and a new opt-out never re-reads the contact history.
-- On Spark a table: the run loads each model's files back into the warehouse, and a view has none.
{{ config(materialized='view' if target.type == 'duckdb' else 'table') }}

{%- set sources = ['unusable_opt_outs', 'unusable_inbound_sms', 'unusable_consents', 'unusable_line_types',
                   'unusable_rnd', 'unusable_contact_history', 'unusable_dnc', 'unusable_surveys'] %}

{% for source in sources %}
{%- if not loop.first %}
union all
{% endif -%}
select source, source_file, source_line, reason from {{ ref(source) }}
{%- endfor %}
