-- Fail closed on lines we could not read: every valid number a quarantined line of a source
-- that can carry a suppression, a revocation or a line-type answer holds, or the phone field
-- of a loaded line of such a source that does not read as a valid number, or every other
-- number a phone field holds besides the one it reads as ("919-555-0123;919-555-0456" and
-- "919-555-0123,,919-555-0456" read as their first number, the rest as an extension). Each rule that
-- reads a source decides what its unreadable lines mean (docs/compliance_defaults.md, C07):
-- int_opt_outs, int_phone_events and int_dnc_status.
with kept_lines as (
    -- The ledger keeps the families whose lines are kept forever.
    select source, _file, _line, raw_line
    from {{ source('ledger', 'quarantine') }}
    where source in ('opt_outs', 'inbound_sms', 'contact_history', 'volunteers', 'consents', 'line_types', 'rnd')
),

snapshot_lines as (
    -- A do-not-call snapshot's lines count while its file is in the inbox.
    select source, _file, _line, raw_line
    from {{ source('raw', 'quarantine') }}
    where source = 'dnc'
),

loaded_phone_fields as (
    -- A loaded row whose phone field does not read as a valid number ("9195550123.0" from a
    -- spreadsheet, "919-555-0123 (cell)") is an unreadable line of its source as far as the
    -- numbers that field holds go. A plain spelling (ten digits, or eleven starting with 1,
    -- with the usual separators) reads as exactly its digits: not looked at again (one regular
    -- expression per loaded line: the model took 1.5 s over the 5.4 M ledger lines at 10M,
    -- 0.4 s before). dnc/ entries are always plain: a line is loaded only when its number
    -- matches the layout.
    select source, _file, _line, phone
    from (
        select 'opt_outs' as source, _file, _line, phone from {{ source('ledger', 'opt_outs') }}
        union all
        -- The campaign's own outbound texts in a message export are not replies (stg_inbound_sms).
        select 'inbound_sms' as source, _file, _line, phone from {{ source('ledger', 'inbound_sms') }}
        where coalesce({{ norm_enum('is_from_contact') }}, '') not in {{ plain_no() }}
        union all
        select 'contact_history' as source, _file, _line, phone from {{ source('ledger', 'contact_history') }}
        union all
        select 'volunteers' as source, _file, _line, phone from {{ source('ledger', 'volunteer_sms') }}
        union all
        -- A person's OPT_OUT reaches each of their other numbers (stg_volunteer_sms).
        select 'volunteers' as source, _file, _line, {{ unnest_list(split_text('other_phones', 'chr(10)')) }} as phone
        from {{ source('ledger', 'volunteer_sms') }}
        where other_phones is not null and {{ volunteer_sms_status('sms_opt_in_status') }} = 'OPT_OUT'
        union all
        -- A survey answer asking not to be contacted or naming a wrong number (int_events_surveys).
        select 'surveys' as source, _file, _line, phone from {{ source('ledger', 'survey_answers') }}
        where {{ disposition_kind(norm_enum('response')) }} in ('wrong_number', 'do_not_call')
        union all
        select 'consents' as source, _file, _line, phone from {{ source('ledger', 'consents') }}
        union all
        select 'line_types' as source, _file, _line, phone from {{ source('ledger', 'line_types') }}
        union all
        select 'rnd' as source, _file, _line, phone from {{ source('ledger', 'rnd') }}
    ) as loaded
    where phone is not null
      and not {{ re_full_match('phone', '\\+?1?[ ()./-]*[0-9]{3}[ ()./-]*[0-9]{3}[ ()./-]*[0-9]{4}') }}
),

unread_phone_fields as (
    -- A field that reads as a number but holds more digits than one number and a country code
    -- may hide another number: its other numbers are read like an unreadable line's.
    select source, _file, _line, phone_text as line_text, read_as
    from (
        select *, {{ phone_e164('phone_text') }} as read_as
        from (select *, {{ fold_unicode('phone') }} as phone_text from loaded_phone_fields) as folded
    ) as read
    where read_as is null
       or length({{ re_replace_all('phone_text', '[^0-9]', '') }}) > 11
),

quarantined_lines as (
    select source, _file as source_file, _line as source_line, {{ fold_unicode('raw_line') }} as line_text,
        cast(null as {{ type_text() }}) as read_as
    from (
        select * from kept_lines
        union all
        select * from snapshot_lines
    ) as lines
    union all
    select source, _file as source_file, _line as source_line, line_text, read_as from unread_phone_fields
),

candidate_texts as (
    -- Generous on purpose: every phone-shaped run, every ten-digit window of a longer digit
    -- run, every comma-separated field, the digits of every phone-shaped run whatever its
    -- separators ("919_555_0123", "919:555:0123", "919,555,0123": up to three characters
    -- other than letters and digits between the groups; the gate's copy is facts.py
    -- _ANY_SEPARATORS), and every number in scientific notation that writes all its digits
    -- ("9.195550123E+09", numpy's "9.195550123000000000e+09"; Excel's "9.19555E+09" lost them
    -- and names no number).
    -- Its digits are not windowed as a digit run: numpy's trailing zeros would make numbers.
    {%- set scientific = '[0-9]\\.[0-9]{9,}[eE]\\+?[0-9]{1,2}' %}
    {%- set any_separators = '\\+?1?[^0-9A-Za-z]{0,3}[0-9]{3}[^0-9A-Za-z]{0,3}[0-9]{3}[^0-9A-Za-z]{0,3}[0-9]{4}' %}
    {#- Letters typed for digits (O for zero, I or l for one: "3O5-717-5597") in a run with at
        least seven digits; the gate's copy is facts.py _LETTERS_FOR_DIGITS. #}
    {%- set letters_for_digits = '\\+?1?[^0-9A-Za-z]{0,3}[0-9OoIl]{3}[^0-9A-Za-z]{0,3}[0-9OoIl]{3}[^0-9A-Za-z]{0,3}[0-9OoIl]{4}' %}
    {%- set mantissa = "replace(" ~ re_extract('sci', '^[0-9]\\.[0-9]+') ~ ", '.', '')" %}
    {%- set exponent = "cast(" ~ re_extract('sci', '[eE]\\+?([0-9]+)$', 1) ~ " as int)" %}
    select
        source,
        source_file,
        source_line,
        read_as,
        {{ list_sorted_distinct(list_cat(list_cat(list_cat(list_cat(list_cat(
            re_extract_all('line_text', '\\+?1?[ .()/-]*[0-9]{3}[ .()/-]*[0-9]{3}[ .()/-]*[0-9]{4}'),
            list_map(re_extract_all('line_text', any_separators), 'run', re_replace_all('run', '[^0-9]', ''))),
            list_map(list_keep(re_extract_all('line_text', letters_for_digits), 'run',
                    'length(' ~ re_replace_all('run', '[^0-9]', '') ~ ') >= 7'),
                'run', re_replace_all("translate(run, 'OoIl', '0011')", '[^0-9]', ''))),
            'flatten(' ~ list_map(re_extract_all(re_replace_all('line_text', scientific, ' '), '[0-9]{11,}'),
                'digits', list_map(int_range('1', 'length(digits) - 8'), 'start', 'substr(digits, start, 10)')) ~ ')'),
            list_map(split_text('line_text', "','"), 'field', "trim(replace(field, '\"', ''))")),
            list_map(re_extract_all('line_text', scientific), 'sci',
                "case when length(" ~ mantissa ~ ") >= " ~ exponent ~ " + 1 and "
                ~ re_full_match("substr(" ~ mantissa ~ ", " ~ exponent ~ " + 2)", '0*')
                ~ " then substr(" ~ mantissa ~ ", 1, " ~ exponent ~ " + 1) end")
        )) }} as candidates
    from quarantined_lines
),

candidates as (
    select source, source_file, source_line, read_as, {{ unnest_list('candidates') }} as candidate
    from candidate_texts
),

final as (
    -- The number a phone field reads as is its row's, not an unreadable line's.
    select distinct source, source_file, source_line, phone_e164
    from (select *, {{ phone_e164('candidate') }} as phone_e164 from candidates) as read
    where phone_e164 is not null and phone_e164 is distinct from read_as
)

select * from final
