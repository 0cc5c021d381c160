with source as (
    select * from {{ source('ledger', 'line_types') }}
),

normalized as (
    select
        *,
        {{ fold_unicode('phone') }} as phone_text,
        {{ norm_enum('line_type') }} as line_type_value
    from source
),

renamed as (
    select
        {{ phone_e164('phone_text') }} as phone_e164,
        -- docs/compliance_defaults.md: any value other than the six known ones is unknown.
        case
            when line_type_value in ('landline', 'wireless', 'voip_fixed', 'voip_nonfixed', 'toll_free', 'unknown')
                then line_type_value
            else 'unknown'
        end as line_type,
        coalesce(line_type_value in ('landline', 'wireless', 'voip_fixed', 'voip_nonfixed', 'toll_free', 'unknown'), false)
            as is_known_line_type,
        -- A look-up cannot have been made after its row was first read (a mistyped year): such
        -- a time is no time, and the answer is unknown at as-of, like an unreadable one.
        {{ no_time_after_first_seen(parse_timestamp('checked_at')) }} as checked_at,
        {{ clean_text('source') }} as line_type_source,
        _file as source_file,
        _line as source_line,
        _sha256 as source_sha256
    from normalized
)

select * from renamed
