{#- Spark implementations of the phone normalizer (macros/phones.sql): the same steps and
    the same regular expressions, in Spark SQL. java.util.regex differs from RE2 in two
    ways that matter here: `$` also matches before a final line break (so \z is used), and
    (?i) is ASCII-only unless (?u) is added (RE2 and Python fold case in Unicode).
    Validity is an IN (subquery) over ref.phone_prefixes and ref.phone_number_exceptions,
    which Spark plans as a broadcast semi-join. -#}

{% macro spark__phone_e164(expr) -%}
{#- Spark allows no subquery inside a lambda, so the national number is written out three
    times; Spark evaluates the common subexpression once per row. -#}
{%- set national_number = _phone_national_number(expr) -%}
case
    when try_cast(left({{ national_number }}, 6) as int) in (select prefix from ref.phone_prefixes)
      or try_cast({{ national_number }} as bigint) in (select national_number from ref.phone_number_exceptions)
        then '+1' || {{ national_number }}
end
{%- endmacro %}


{% macro spark__phone_area_code(e164_expr) -%}
case when {{ re_full_match(e164_expr, '\\+1[2-9][0-9]{9}') }} then substr({{ e164_expr }}, 3, 3) end
{%- endmacro %}


{% macro spark__phone_national_number(expr) -%}
{{ re_extract(_phone_key(expr), '^(?:n1{0,3}|n01111?|p1{1,2}|p01111?)([2-9][0-9]{9})\\z', 1) }}
{%- endmacro %}


{% macro spark__phone_key(expr) -%}
{%- set text = "cast(" ~ expr ~ " as string)" -%}
{{ let_in(text, 'phone_text', "case
    when length(phone_text) > 250 then null
    when " ~ re_full_match('phone_text', _phone_common_spelling()) ~ " then
        case when contains(phone_text, '+') or contains(phone_text, '＋') then 'p' else 'n' end
        || " ~ re_replace_all('phone_text', '[^0-9]', '') ~ "
    when contains(phone_text, ';phone-context=') or " ~ re_matches('phone_text', '[^\\P{Nd}0-9]') ~ " then null
    else " ~ let_in(_spark_phone_number_without_extension('phone_text'), 'number',
        "case when startswith(number, '+') or startswith(number, '＋') then 'p' else 'n' end
        || " ~ re_replace_all("case
                when " ~ re_matches('number', '(?s)[A-Za-z].*[A-Za-z].*[A-Za-z]') ~ "
                    then translate(number, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzıſ', '222333444555666777788899992223334445556667777888999947')
                else number
            end", '[^0-9]', '')) ~ "
end") }}
{%- endmacro %}


{% macro _spark_phone_number_without_extension(expr) -%}
{%- set viable = '(?u)' ~ _phone_viable() -%}
{%- set head = '(?u)' ~ _phone_head_before_extension()[:-1] ~ '\\z' -%}
{{ let_in(
    "regexp_replace(regexp_replace(regexp_replace("
        ~ re_extract(expr, '(?s)[+\\x{FF0B}0-9].*') ~ ", "
        ~ text_literal('(?:_|[^#\\p{L}\\p{N}])+\\z') ~ ", ''), "
        ~ text_literal('(?s)[\\\\/] *x.*') ~ ", ''), "
        ~ text_literal('(?s);isub=.*') ~ ", '')",
    'extracted',
    "case when length(extracted) >= 2 and " ~ re_full_match('extracted', viable) ~ " then "
        ~ let_in("regexp_replace(extracted, " ~ text_literal(head) ~ ", '$1')", 'head',
            "case
                when length(head) < length(extracted) and length(head) >= 2 and " ~ re_full_match('head', viable) ~ "
                    then head
                else extracted
            end")
        ~ " end") }}
{%- endmacro %}
