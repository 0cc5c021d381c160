{# Tests only (dbt var test_disable_rule): the rule id eligibility pretends not to know, so a
   test can prove the gate catches what eligibility misses. '' in normal runs. #}
{% macro disabled_rule() -%}
{{ return((var('test_disable_rule', '') or '') | string | trim) }}
{%- endmacro %}

{# The rule-id list expression without the disabled rule (unchanged when none is disabled). #}
{% macro without_disabled_rule(rule_ids) -%}
{%- set rule = disabled_rule() -%}
{%- if rule -%}
{{ list_keep(rule_ids, 'rule_id', "rule_id <> '" ~ (rule | replace("'", "''")) ~ "'") }}
{%- else -%}
{{ rule_ids }}
{%- endif -%}
{%- endmacro %}
