with source as (
    select * from {{ source('raw', 'opt_outs') }}
),

renamed as (
    select
        {{ phone_e164('phone') }} as phone_e164,
        {{ parse_timestamp('received_at') }} as received_at,
        -- Blank means every channel (CONTRACT section 2).
        coalesce(lower({{ clean_text('channel') }}), 'all') as channel,
        {{ clean_text('source') }} as opt_out_source,
        {{ clean_text('reason') }} as reason,
        _file as source_file,
        _line as source_line
    from source
)

select * from renamed
