with source as (
    select * from {{ source('raw', 'inbound_sms') }}
),

renamed as (
    select
        {{ phone_e164('phone') }} as phone_e164,
        {{ parse_timestamp('received_at') }} as received_at,
        body,
        lower(trim(coalesce(body, ''))) as body_normalized,
        _file as source_file,
        _line as source_line
    from source
)

select * from renamed
