with source as (
    select * from {{ source('ledger', 'consents') }}
),

normalized as (
    select *, {{ fold_unicode('phone') }} as phone_text
    from source
),

renamed as (
    select
        {{ phone_e164('phone_text') }} as phone_e164,
        {{ clean_text('caller_entity') }} as caller_entity,
        {{ norm_enum('scope') }} as scope,
        {{ parse_timestamp('consented_at') }} as consented_at,
        {{ clean_text('method') }} as method,
        {{ clean_text('source') }} as consent_source,
        {{ clean_text('disclosure_version') }} as disclosure_version,
        -- A revocation dated after its row was first read cannot be right: like one that is
        -- written but unreadable, it still counts as a revocation (the consent keeps its date).
        {{ no_time_after_first_seen(parse_timestamp('revoked_at')) }} as revoked_at,
        {{ clean_text('revoked_at') }} is not null and {{ no_time_after_first_seen(parse_timestamp('revoked_at')) }} is null
            as has_unreadable_revocation,
        _file as source_file,
        _line as source_line,
        _sha256 as source_sha256
    from normalized
)

select * from renamed
