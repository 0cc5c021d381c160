-- The survey and ID answers the ledger keeps (those that may be a disposition, every one ever
-- read), in stg_surveys' columns: an answer counts after its file leaves the inbox.
with source as (
    select * from {{ source('ledger', 'survey_answers') }}
),

normalized as (
    select *, {{ fold_unicode('phone') }} as phone_text
    from source
),

renamed as (
    select
        {{ survey_answer_columns() }},
        -- An answer dated after it was first read has no time (a mistyped year): it counts.
        {{ no_time_after_first_seen(parse_timestamp('collected_at')) }} as collected_at,
        _file as source_file,
        _line as source_line
    from normalized
)

select * from renamed
