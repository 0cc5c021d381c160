-- Fail closed on lines we could not read: every valid number a quarantined line of a source
-- that can carry a suppression, a revocation or a line-type answer holds. Each rule that
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

quarantined_lines as (
    select source, _file as source_file, _line as source_line, {{ fold_unicode('raw_line') }} as line_text
    from (
        select * from kept_lines
        union all
        select * from snapshot_lines
    ) as lines
),

candidate_texts as (
    -- Generous on purpose: every phone-shaped run, every ten-digit window of a longer digit
    -- run, and every comma-separated field.
    select
        source,
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
    select source, source_file, source_line, {{ unnest_list('candidates') }} as candidate
    from candidate_texts
),

final as (
    select distinct source, source_file, source_line, {{ phone_e164('candidate') }} as phone_e164
    from candidates
)

select * from final where phone_e164 is not null
