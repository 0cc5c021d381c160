{#
  Phone normalization in vectorized SQL.

  phone_e164(expr) renders a DuckDB expression: the E.164 text ('+1' and ten digits) of the
  number a US spelling stands for, or NULL when the text is not a valid NANP number.

  The answer is the one phonenumbers gives: parse(text, "US"), is_valid_number, country
  code 1, E.164 format (tests/test_phone_differential.py checks them side by side). The
  SQL mirrors phonenumbers' parsing steps for region US: drop everything before the first
  '+' or digit and trailing punctuation, cut a second number ("/ x") and ';isub=', check
  the text is "viable", strip an extension (x123, ext. 12, #45, ;ext=, ",,"), turn letters
  into keypad digits when there are three or more, then strip '+', the 011 international
  prefix, the country code 1 and the national prefix 1 where phonenumbers would.
  Validity comes from ref.phone_prefixes (NPA-NXX blocks that are valid as a whole) and
  ref.phone_number_exceptions (valid numbers of blocks that are valid only in part), both
  built by assets/phones/ from phonenumbers' own metadata; they must exist when the
  query runs (the phone_reference asset builds them before dbt).

  Deliberate differences from phonenumbers, all of which return NULL (not a contactable
  US-style number, so the row is excluded rather than guessed):
  - a valid number of another country (e.g. '+44 20 7946 0958'): the product is NANP only;
  - a valid NANP number whose national number is not ten digits: phonenumbers accepts
    Canada's seven-digit 310-XXXX service numbers, which are not E.164 '+1' + 10 digits;
  - text holding a non-ASCII decimal digit (e.g. fullwidth or Arabic-Indic digits);
  - RFC 3966 URIs with ';phone-context=' (a 'tel:+1...' URI without it works).

  Speed: the common spellings (digits with spaces, dashes, dots, slashes, parentheses,
  a leading '+', any text before the first digit) take a one-regex fast path; only text
  with letters, '#', commas and the like runs the full extraction.
#}

{% macro phone_e164(expr) -%}{{ return(adapter.dispatch('phone_e164')(expr)) }}{%- endmacro %}

{% macro default__phone_e164(expr) -%}
{%- set national_number = _phone_national_number(expr) -%}
{#- Membership tests read the tables through uncorrelated subqueries, computed once per
    query: a bitmap of ref.phone_prefixes (one bit per NPA-NXX, built in a few ms) and, for
    the few NPA-NXX valid only in part, the list of their valid numbers. Unlike an IN
    (subquery) hash join, this keeps the whole expression in one projection, where DuckDB
    evaluates the repeated national-number expression once per row instead of twice. -#}
case
    when get_bit(
            (select bitstring_agg(prefix, 0, 999999) from ref.phone_prefixes),
            try_cast(left({{ national_number }}, 6) as integer)) = 1
        then '+1' || {{ national_number }}
    when list_contains(
            (select list(distinct national_number // 10000) from ref.phone_number_exceptions),
            try_cast(left({{ national_number }}, 6) as bigint))
        then case
            when list_contains(
                    (select list(national_number) from ref.phone_number_exceptions),
                    try_cast({{ national_number }} as bigint))
                then '+1' || {{ national_number }}
        end
end
{%- endmacro %}


{# The three digits after '+1' of an E.164 text from phone_e164, else NULL. #}
{% macro phone_area_code(e164_expr) -%}{{ return(adapter.dispatch('phone_area_code')(e164_expr)) }}{%- endmacro %}

{% macro default__phone_area_code(e164_expr) -%}
case when regexp_full_match({{ e164_expr }}, '\+1[2-9][0-9]{9}') then substr({{ e164_expr }}, 3, 3) end
{%- endmacro %}


{#
  The ten-digit national number a spelling stands for, or '' when phonenumbers would not
  end up with country code 1 and a ten-digit number starting 2-9 (every valid one does;
  assets/phones/ refuses to build the tables otherwise).

  The key is 'p' (text starts with '+') or 'n', then the normalized digits. What may come
  before the ten digits is then a short list, worked out from phonenumbers' parse for
  region US: without '+': nothing, 1, 11 or 111 (the country code 1, then the national
  prefix 1, which parse strips a second time while ten digits remain), or 011 1 with an
  optional national prefix 1; with '+': the country code 1 with an optional national
  prefix 1, or 011 1 (phonenumbers retries "+011 1..." without the '+') with an optional
  national prefix 1.
#}
{% macro _phone_national_number(expr) -%}{{ return(adapter.dispatch('phone_national_number')(expr)) }}{%- endmacro %}

{% macro default__phone_national_number(expr) -%}
regexp_extract({{ _phone_key(expr) }}, '^(?:n1{0,3}|n01111?|p1{1,2}|p01111?)([2-9][0-9]{9})$', 1)
{%- endmacro %}


{% macro _phone_key(expr) -%}{{ return(adapter.dispatch('phone_key')(expr)) }}{%- endmacro %}

{% macro default__phone_key(expr) -%}
{#- Raw columns are VARCHAR; the cast makes other types work too and costs nothing then. -#}
{%- set text = "cast(" ~ expr ~ " as varchar)" -%}
{#- Text before the first '+' or digit (not a ';', which could start ';phone-context='),
    then '+' signs, then digits and separators, then ASCII punctuation other than '#'
    and '+'. For such text phonenumbers' extraction, viability check and extension search
    reduce to "keep the digits", and any '+' is the leading one. -#}
{%- set common_spelling = _phone_common_spelling() -%}
case
    when length({{ text }}) > 250 then null
    when regexp_full_match({{ text }}, '{{ common_spelling }}') then
        case when contains({{ text }}, '+') or contains({{ text }}, '＋') then 'p' else 'n' end
        || regexp_replace({{ text }}, '[^0-9]', '', 'g')
    when contains({{ text }}, ';phone-context=') or regexp_matches({{ text }}, '[^\P{Nd}0-9]') then null
    else list_transform([{{ _phone_number_without_extension(text) }}], lambda number:
        case when starts_with(number, '+') or starts_with(number, '＋') then 'p' else 'n' end
        || regexp_replace(
            case
                {#- phonenumbers reads letters as keypad digits only when there are three or more,
                    after upper-casing (which turns 'ı' into I and 'ſ' into S). #}
                when regexp_matches(number, '(?s)[A-Za-z].*[A-Za-z].*[A-Za-z]')
                    then translate(number, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzıſ', '222333444555666777788899992223334445556667777888999947')
                else number
            end, '[^0-9]', '', 'g'))[1]
end
{%- endmacro %}


{#
  phonenumbers' _build_national_number_for_parsing and _maybe_strip_extension, for text
  the fast path does not cover: NULL when the text is not "viable" (parse would raise).
  The patterns are phonenumbers' _VALID_PHONE_NUMBER and _EXTN_PATTERNS_FOR_PARSING with
  non-ASCII characters written as \x{...}. RE2 and Python agree on them for ASCII digits,
  except that Python's case-insensitive 'i' also matches the Turkish dotless and dotted
  i, which are therefore spelled out.
#}
{% macro _phone_number_without_extension(expr) -%}
{%- set viable = _phone_viable() -%}
{#- The shortest head after which an extension runs to the end: Python's search() finds
    the leftmost start, which a lazy prefix reproduces in RE2. -#}
{%- set head_before_extension = _phone_head_before_extension() -%}
list_transform(
    {#- From the first '+' or digit; minus trailing characters that are neither letters,
        digits nor '#'; minus a second number ("/ x..."); minus an ISDN subaddress. -#}
    [regexp_replace(regexp_replace(regexp_replace(
        regexp_extract({{ expr }}, '(?s)[+\x{FF0B}0-9].*'),
        '(?:_|[^#\p{L}\p{N}])+$', ''),
        '(?s)[\\/] *x.*', ''),
        '(?s);isub=.*', '')],
    lambda extracted:
        case when length(extracted) >= 2 and regexp_full_match(extracted, '{{ viable }}') then
            list_transform([regexp_replace(extracted, '{{ head_before_extension }}', '\1')], lambda head:
                {#- phonenumbers drops the extension only when what precedes it is viable too. -#}
                case
                    when length(head) < length(extracted) and length(head) >= 2 and regexp_full_match(head, '{{ viable }}')
                        then head
                    else extracted
                end)[1]
        end)[1]
{%- endmacro %}


{# The regular expressions both engines use (phonenumbers' patterns; see above). #}
{% macro _phone_common_spelling() -%}
[^+\x{FF0B}\p{Nd};]*[+\x{FF0B}]*[0-9 ().\-/\[\]\x{00A0}\x{00AD}\x{200B}\x{2060}\x{2010}-\x{2015}\x{2212}\x{30FC}\x{3000}\x{FF08}\x{FF09}\x{FF0D}-\x{FF0F}\x{FF3B}\x{FF3D}]*[\x00-\x22\x24-\x2a\x2c-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]*
{%- endmacro %}

{% macro _phone_viable() -%}
(?i)(?:\d{2}|[+\x{FF0B}]*(?:[-x\x{2010}-\x{2015}\x{2212}\x{30FC}\x{FF0D}-\x{FF0F} \x{00A0}\x{00AD}\x{200B}\x{2060}\x{3000}()\x{FF08}\x{FF09}\x{FF3B}\x{FF3D}.\[\]/~\x{2053}\x{223C}\x{FF5E}*]*\d){3,}[-x\x{2010}-\x{2015}\x{2212}\x{30FC}\x{FF0D}-\x{FF0F} \x{00A0}\x{00AD}\x{200B}\x{2060}\x{3000}()\x{FF08}\x{FF09}\x{FF3B}\x{FF3D}.\[\]/~\x{2053}\x{223C}\x{FF5E}*ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\x{0130}\x{0131}\d]*(?:;ext=(\d{1,20})|[ \x{00A0}\t,]*(?:e?xt(?:ens[i\x{0130}\x{0131}](?:o\x{0301}?|\x{00F3}))?n?|\x{FF45}?\x{FF58}\x{FF54}\x{FF4E}?|\x{0434}\x{043E}\x{0431}|anexo)[:\.\x{FF0E}]?[ \x{00A0}\t,-]*(\d{1,20})#?|[ \x{00A0}\t,]*(?:[x\x{FF58}#\x{FF03}~\x{FF5E}]|[i\x{0130}\x{0131}]nt|\x{FF49}\x{FF4E}\x{FF54})[:\.\x{FF0E}]?[ \x{00A0}\t,-]*(\d{1,9})#?|[- ]+(\d{1,6})#|[ \x{00A0}\t]*(?:,{2}|;)[:\.\x{FF0E}]?[ \x{00A0}\t,-]*(\d{1,15})#?|[ \x{00A0}\t]*(?:,)+[:\.\x{FF0E}]?[ \x{00A0}\t,-]*(\d{1,9})#?)?)
{%- endmacro %}

{% macro _phone_head_before_extension() -%}
(?is)^(.*?)(?:;ext=(\d{1,20})|[ \x{00A0}\t,]*(?:e?xt(?:ens[i\x{0130}\x{0131}](?:o\x{0301}?|\x{00F3}))?n?|\x{FF45}?\x{FF58}\x{FF54}\x{FF4E}?|\x{0434}\x{043E}\x{0431}|anexo)[:\.\x{FF0E}]?[ \x{00A0}\t,-]*(\d{1,20})#?|[ \x{00A0}\t,]*(?:[x\x{FF58}#\x{FF03}~\x{FF5E}]|[i\x{0130}\x{0131}]nt|\x{FF49}\x{FF4E}\x{FF54})[:\.\x{FF0E}]?[ \x{00A0}\t,-]*(\d{1,9})#?|[- ]+(\d{1,6})#|[ \x{00A0}\t]*(?:,{2}|;)[:\.\x{FF0E}]?[ \x{00A0}\t,-]*(\d{1,15})#?|[ \x{00A0}\t]*(?:,)+[:\.\x{FF0E}]?[ \x{00A0}\t,-]*(\d{1,9})#?)$
{%- endmacro %}
