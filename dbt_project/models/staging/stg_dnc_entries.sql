with source as (
    select * from {{ source('raw', 'dnc_entries') }}
),

normalized as (
    select *, {{ fold_unicode('phone') }} as phone_text
    from source
),

renamed as (
    select
        list as dnc_list,
        file_kind,
        snapshot_date::date as snapshot_date,
        {{ phone_e164('phone_text') }} as phone_e164,
        action,
        _file as source_file,
        _line as source_line
    from normalized
)

select * from renamed
