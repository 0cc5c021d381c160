with source as (
    select * from {{ source('raw', 'dnc_entries') }}
),

renamed as (
    select
        list as dnc_list,
        file_kind,
        snapshot_date::date as snapshot_date,
        {{ phone_e164('phone') }} as phone_e164,
        action,
        _file as source_file,
        _line as source_line
    from source
)

select * from renamed
