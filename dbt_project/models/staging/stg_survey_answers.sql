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
        case when {{ clean_text('ncid') }} is not null then 'NC-' || trim(ncid) end as voter_key,
        {{ phone_e164('phone_text') }} as phone_e164,
        lower({{ clean_text('question') }}) as question,
        lower({{ clean_text('response') }}) as response,
        -- An answer dated after it was first read has no time (a mistyped year): it counts.
        {{ no_time_after_first_seen(parse_timestamp('collected_at')) }} as collected_at,
        _file as source_file,
        _line as source_line
    from normalized
)

select * from renamed
