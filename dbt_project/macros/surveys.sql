{#
  The columns every reading of survey and ID answers shares (stg_surveys over the inbox,
  stg_survey_answers over the ledger's copy): voter key, number, question and answer. Each
  model adds its own collected_at and the row's file and line. Reads `ncid`, `question`,
  `response` and `phone_text` (the phone field through fold_unicode).
#}
{% macro survey_answer_columns() -%}
case when {{ clean_text('ncid') }} is not null then 'NC-' || trim(ncid) end as voter_key,
        {{ phone_e164('phone_text') }} as phone_e164,
        lower({{ clean_text('question') }}) as question,
        lower({{ clean_text('response') }}) as response
{%- endmacro %}
