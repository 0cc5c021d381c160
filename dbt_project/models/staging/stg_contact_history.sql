with source as (
    select * from {{ source('raw', 'contact_history') }}
),

renamed as (
    select
        {{ phone_e164('phone') }} as phone_e164,
        lower({{ clean_text('channel') }}) as channel,
        {{ parse_timestamp('attempted_at') }} as attempted_at,
        {{ clean_text('caller_entity') }} as caller_entity,
        replace(lower({{ clean_text('disposition') }}), ' ', '_') as disposition,
        _file as source_file,
        _line as source_line
    from source
)

select * from renamed
