{# Timestamps arrive as ISO 8601 (with or without offset), plain dates, or US MM/DD/YYYY.
   Returns NULL when none fits, so callers decide what an unreadable time means. #}
{% macro parse_timestamp(expr) -%}
coalesce(
    try_cast(nullif(trim({{ expr }}), '') as timestamptz),
    try_strptime(nullif(trim({{ expr }}), ''), '%m/%d/%Y')::timestamptz
)
{%- endmacro %}

{% macro parse_date(expr) -%}
coalesce(
    try_cast(nullif(trim({{ expr }}), '') as date),
    try_strptime(nullif(trim({{ expr }}), ''), '%m/%d/%Y')::date
)
{%- endmacro %}

{# Empty strings and Florida's `*` masking mean "no value". #}
{% macro clean_text(expr) -%}
nullif(nullif(trim({{ expr }}), ''), '*')
{%- endmacro %}
