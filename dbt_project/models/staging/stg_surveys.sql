with source as (
    select * from {{ source('raw', 'surveys') }}
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
        {{ parse_timestamp('collected_at') }} as collected_at,
        _file as source_file,
        _line as source_line
    from normalized
)

select * from renamed
