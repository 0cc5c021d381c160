{# Helpers shared by the identity models and the segments (docs/analyst_guide.md). #}

{# Names compared across sources: accents folded, case and punctuation dropped. #}
{% macro norm_name(expr) -%}
nullif({{ re_replace_all('lower(' ~ fold_accents('coalesce(trim(' ~ expr ~ "), '')") ~ ')', '[^a-z]', '') }}, '')
{%- endmacro %}

{% macro norm_email(expr) -%}
nullif(lower(trim({{ expr }})), '')
{%- endmacro %}

{# A residence address reduced to what identifies the dwelling: upper case, punctuation
   dropped, common street suffixes and unit words abbreviated, spaces collapsed.
   The suffixes are plain text, so replace() (same function on DuckDB and Spark, same
   left-to-right, non-overlapping replacement as a regex of literal text) does them: seven
   regex passes per voter were most of int_households' time. #}
{% macro norm_address(expr) -%}
{%- set address = namespace(text="' ' || " ~ re_replace_all('upper(' ~ fold_accents('coalesce(' ~ expr ~ ", '')") ~ ')', '[^A-Z0-9 ]', ' ') ~ " || ' '") -%}
{%- for word, short in [(' STREET ', ' ST '), (' AVENUE ', ' AVE '), (' ROAD ', ' RD '), (' DRIVE ', ' DR '), (' LANE ', ' LN '),
                        (' COURT ', ' CT '), (' BOULEVARD ', ' BLVD ')] -%}
    {%- set address.text = "replace(" ~ address.text ~ ", '" ~ word ~ "', '" ~ short ~ "')" -%}
{%- endfor -%}
{%- set address.text = re_replace_all(address.text, ' (APARTMENT|UNIT|SUITE|STE|APT) ', ' # ') -%}
nullif(trim({{ re_replace_all(address.text, '\\s+', ' ') }}), '')
{%- endmacro %}

{# The id of a donor as ActBlue exports describe them (no stable donor id survives every
   export): the normalized name, email, phone and ZIP. #}
{% macro donor_record_id(first_name, last_name, email, phone, zip5) -%}
'actblue:' || left(md5(concat_ws('|',
    coalesce({{ norm_name(first_name) }}, ''), coalesce({{ norm_name(last_name) }}, ''),
    coalesce({{ norm_email(email) }}, ''), coalesce({{ phone }}, ''), coalesce({{ zip5 }}, ''))), 16)
{%- endmacro %}

{# Clamp to [0, 1] and round, the shape of every segment score. #}
{% macro unit_score(expr) -%}
round(greatest(0.0, least(1.0, {{ expr }})), 4)::double
{%- endmacro %}

{# Segment issue_<topic>: active, contactable voters who answered the survey question on
   `topic`, with their latest answer's affinity (strongly_support 1, support 0.75, neutral
   0.5, oppose 0.25, strongly_oppose 0) at or above var issue_min_affinity. Answers given
   by phone are attributed only when one voter holds the number. score = affinity. #}
{% macro issue_segment(topic) -%}
with responses as (
    select * from {{ ref('int_survey_responses') }}
    where topic = '{{ topic }}'
),

contacts as (
    select * from {{ ref('int_contacts') }}
),

latest as (
    select *
    from responses
    qualify row_number() over (partition by voter_key order by collected_at desc nulls last, response) = 1
),

final as (
    select
        contacts.contact_id,
        contacts.voter_key,
        contacts.phone_e164,
        {{ unit_score('latest.affinity') }} as score,
        '{{ topic }}' as topic,
        latest.response,
        latest.affinity,
        latest.matched_by,
        latest.collected_at,
        contacts.party,
        contacts.county,
        contacts.source_state
    from latest
    inner join contacts on contacts.voter_key = latest.voter_key
    where contacts.registration_status = 'A'
      and {{ list_size('contacts.voter_rule_ids') }} = 0
      and latest.affinity >= {{ var('issue_min_affinity') }}
)

select * from final
{%- endmacro %}
