with source as (
    select * from {{ source('ledger', 'opt_outs') }}
),

normalized as (
    select
        *,
        {{ fold_unicode('phone') }} as phone_text,
        {{ norm_enum('channel') }} as channel_value
    from source
),

renamed as (
    select
        {{ phone_e164('phone_text') }} as phone_e164,
        {{ no_time_after_first_seen(parse_timestamp('received_at')) }} as received_at,
        -- Blank, and any value other than call, sms or all, means every channel (CONTRACT
        -- section 2; docs/compliance_defaults.md): every opt-out suppresses every channel anyway (R09).
        case when channel_value in ('call', 'sms', 'all') then channel_value else 'all' end as channel,
        {{ clean_text('source') }} as opt_out_source,
        {{ clean_text('reason') }} as reason,
        _file as source_file,
        _line as source_line,
        _sha256 as source_sha256
    from normalized
)

select * from renamed
