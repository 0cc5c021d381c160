-- The consent ledger: every event that bears on contacting a number, one row each, so the
-- state at any as-of is a query over events on or before it (the later event wins).
--
-- A view over one table per source family (events/): an incremental run rebuilds only the
-- families whose sources changed, and a new opt-out never re-reads the contact history.
-- On Spark a table: the run loads each model's files back into the warehouse, and a view has none.
{{ config(materialized='view' if target.type == 'duckdb' else 'table') }}

{%- set families = ['int_events_consents', 'int_events_sms_opt_ins', 'int_events_opt_outs', 'int_events_rnd',
                    'int_events_line_types', 'int_events_line_types_undated', 'int_events_unreadable',
                    'int_events_contact_history', 'int_events_surveys'] %}

{% for family in families %}
{%- if not loop.first %}
union all
{% endif -%}
select phone_e164, event_at, event_type, detail, caller_entity, consent_date, source_file, source_line
from {{ ref(family) }}
{%- endfor %}
