with source as (
    select * from {{ source('raw', 'rnd') }}
),

renamed as (
    select
        {{ phone_e164('phone') }} as phone_e164,
        {{ parse_date('consent_date') }} as consent_date,
        replace(lower({{ clean_text('result') }}), ' ', '_') as result,
        {{ parse_timestamp('queried_at') }} as queried_at,
        _file as source_file,
        _line as source_line
    from source
)

select * from renamed
