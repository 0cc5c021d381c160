-- Opt-outs from every channel that carries them (int_opt_outs), the rule id as detail.
select phone_e164, received_at as event_at, 'opt_out' as event_type, rule_id as detail,
    cast(null as string) as caller_entity, cast(null as date) as consent_date, source_file, source_line
from {{ ref('int_opt_outs') }}
