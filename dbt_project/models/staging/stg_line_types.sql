with source as (
    select * from {{ source('raw', 'line_types') }}
),

renamed as (
    select
        {{ phone_e164('phone') }} as phone_e164,
        lower({{ clean_text('line_type') }}) as line_type,
        {{ parse_timestamp('checked_at') }} as checked_at,
        {{ clean_text('source') }} as line_type_source,
        _file as source_file,
        _line as source_line
    from source
)

select * from renamed
