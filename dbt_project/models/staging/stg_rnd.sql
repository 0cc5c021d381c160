with source as (
    select * from {{ source('ledger', 'rnd') }}
),

normalized as (
    select *, {{ fold_unicode('phone') }} as phone_text
    from source
),

renamed as (
    select
        {{ phone_e164('phone_text') }} as phone_e164,
        {{ parse_date('consent_date') }} as consent_date,
        {{ norm_enum('result') }} as result,
        {{ parse_timestamp('queried_at') }} as queried_at,
        _file as source_file,
        _line as source_line,
        _sha256 as source_sha256
    from normalized
)

select * from renamed
