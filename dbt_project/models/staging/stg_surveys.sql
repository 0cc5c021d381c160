with source as (
    select * from {{ source('raw', 'surveys') }}
),

normalized as (
    select *, {{ fold_unicode('phone') }} as phone_text
    from source
),

renamed as (
    select
        {{ survey_answer_columns() }},
        {{ parse_timestamp('collected_at') }} as collected_at,
        _file as source_file,
        _line as source_line
    from normalized
)

select * from renamed
