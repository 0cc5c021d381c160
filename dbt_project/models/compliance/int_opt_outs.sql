-- Every opt-out in force at as-of, whatever its channel (R09), from files, classified
-- inbound SMS (R11), Mobilize people who opted out of texts, and quarantined suppression
-- lines that hold a valid number (C07).
with run as (
    select * from {{ ref('int_run') }}
),

file_opt_outs as (
    select phone_e164, received_at, 'R09' as rule_id, source_file, source_line
    from {{ ref('stg_opt_outs') }}
),

sms_opt_outs as (
    select phone_e164, received_at, 'R11' as rule_id, source_file, source_line
    from {{ ref('int_sms_classified') }}
    -- Replies that only look close are suppressed too until a person has read them (R11).
    where classification in ('opt_out', 'review')
),

mobilize_opt_outs as (
    -- Every OPT_OUT status the ledger ever read, not only an attendance's latest version.
    select phone_e164, modified_at as received_at, 'R09' as rule_id, source_file, source_line
    from {{ ref('stg_volunteer_sms') }}
    where sms_opt_in_status = 'OPT_OUT'
),

quarantined_lines as (
    -- C07: a suppression line that could not be parsed still suppresses every valid number
    -- its text holds, whatever its date; the ledger keeps it after its file leaves the inbox.
    select _file as source_file, _line as source_line, {{ fold_unicode('raw_line') }} as line_text
    from {{ source('ledger', 'quarantine') }}
    where source in ('opt_outs', 'inbound_sms', 'contact_history')
),

candidate_texts as (
    -- Generous on purpose (suppression fails closed): every phone-shaped run, every ten-digit
    -- window of a longer digit run, and every comma-separated field.
    select
        source_file,
        source_line,
        {{ list_sorted_distinct(list_cat(list_cat(
            re_extract_all('line_text', '\\+?1?[ .()/-]*[0-9]{3}[ .()/-]*[0-9]{3}[ .()/-]*[0-9]{4}'),
            'flatten(' ~ list_map(re_extract_all('line_text', '[0-9]{11,}'),
                'digits', list_map(int_range('1', 'length(digits) - 8'), 'start', 'substr(digits, start, 10)')) ~ ')'),
            list_map(split_text('line_text', "','"), 'field', "trim(replace(field, '\"', ''))")
        )) }} as candidates
    from quarantined_lines
),

candidates as (
    select source_file, source_line, {{ unnest_list('candidates') }} as candidate
    from candidate_texts
),

quarantine_opt_outs as (
    select distinct
        {{ phone_e164('candidate') }} as phone_e164,
        -- In force from the moment the line was read, whatever date it holds.
        null::{{ type_instant() }} as received_at,
        'C07' as rule_id,
        source_file,
        source_line
    from candidates
),

unioned as (
    select * from file_opt_outs
    union all
    select * from sms_opt_outs
    union all
    select * from mobilize_opt_outs
    union all
    select * from quarantine_opt_outs
),

final as (
    select unioned.*
    from unioned
    cross join run
    -- An opt-out whose time cannot be read counts: when in doubt, do not contact.
    where unioned.phone_e164 is not null
      and (unioned.received_at is null or unioned.received_at <= run.as_of)
)

select * from final
