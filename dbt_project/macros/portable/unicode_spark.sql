{#- Spark implementation of fold_unicode (macros/unicode.sql): the same generated maps and
    classes, with their backslashes escaped for Spark's literals. -#}
{% macro spark__fold_unicode(expr) -%}
regexp_replace(
    case
        when not ({{ expr }} rlike '[^\\x00-\\x7f]') then {{ expr }}
        else {{ let_in(
            "translate(" ~ expr ~ ", " ~ escape_literals(_unicode_common_from()) ~ ", " ~ escape_literals(_unicode_common_to()) ~ ")",
            'folded',
            "case when folded rlike " ~ escape_literals(_unicode_rare_class())
                ~ " then translate(folded, " ~ escape_literals(_unicode_rare_from()) ~ ", " ~ escape_literals(_unicode_rare_to()) ~ ")"
                ~ " else folded end") }}
    end,
    {{ escape_literals(_unicode_whitespace_class()) }},
    ' ')
{%- endmacro %}
