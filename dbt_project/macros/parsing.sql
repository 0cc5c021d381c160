{# Timestamps arrive as ISO 8601 (with or without offset), plain dates, or US MM/DD/YYYY.
   Returns NULL when none fits, so callers decide what an unreadable time means. #}
{% macro parse_timestamp(expr) -%}{{ return(adapter.dispatch('parse_timestamp')(expr)) }}{%- endmacro %}

{% macro default__parse_timestamp(expr) -%}
coalesce(
    try_cast(nullif(trim({{ expr }}), '') as timestamptz),
    try_strptime(nullif(trim({{ expr }}), ''), '%m/%d/%Y')::timestamptz
)
{%- endmacro %}

{% macro parse_date(expr) -%}{{ return(adapter.dispatch('parse_date')(expr)) }}{%- endmacro %}

{% macro default__parse_date(expr) -%}
coalesce(
    try_cast(nullif(trim({{ expr }}), '') as date),
    try_strptime(nullif(trim({{ expr }}), ''), '%m/%d/%Y')::date
)
{%- endmacro %}

{# Empty strings and Florida's `*` masking mean "no value". #}
{% macro clean_text(expr) -%}
nullif(nullif(trim({{ expr }}), ''), '*')
{%- endmacro %}

{# Why a voter-file phone gives no number: flagged, never guessed (a 7-digit value lacks its area code). #}
{% macro phone_problem(raw_expr, e164_expr) -%}
case
    when {{ clean_text(raw_expr) }} is null then 'missing'
    when {{ e164_expr }} is not null then null
    when length({{ re_replace_all(raw_expr, '[^0-9]', '') }}) = 7 then 'seven_digits_no_area_code'
    else 'not_a_valid_nanp_number'
end
{%- endmacro %}
