with source as (
    select * from {{ source('ledger', 'contact_history') }}
),

normalized as (
    select *, {{ fold_unicode('phone') }} as phone_text, {{ norm_enum('disposition') }} as disposition_enum
    from source
),

renamed as (
    select
        {{ phone_e164('phone_text') }} as phone_e164,
        {{ norm_enum('channel') }} as channel,
        -- An attempt cannot have happened after it was read: a later time is no time (its wrong
        -- number, do-not-call request and prerecorded call count as having happened).
        {{ no_time_after_first_seen(parse_timestamp('attempted_at')) }} as attempted_at,
        {{ clean_text('caller_entity') }} as caller_entity,
        {{ disposition_kind('disposition_enum') }} as disposition,
        _file as source_file,
        _line as source_line,
        _sha256 as source_sha256
    from normalized
)

select * from renamed
