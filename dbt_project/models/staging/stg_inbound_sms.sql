with source as (
    select * from {{ source('ledger', 'inbound_sms') }}
),

normalized as (
    select *, {{ fold_unicode('phone') }} as phone_text
    from source
),

renamed as (
    select
        {{ phone_e164('phone_text') }} as phone_e164,
        {{ parse_timestamp('received_at') }} as received_at,
        body,
        coalesce({{ norm_text('body') }}, '') as body_normalized,
        _file as source_file,
        _line as source_line,
        _sha256 as source_sha256
    from normalized
)

select * from renamed
