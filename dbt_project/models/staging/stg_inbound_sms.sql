with source as (
    select * from {{ source('ledger', 'inbound_sms') }}
),

normalized as (
    select *, {{ fold_unicode('phone') }} as phone_text
    from source
    -- A texting tool's message export (Spoke) also lists the campaign's own outbound texts,
    -- often ending "reply STOP": they are not replies. Only a plain false marks one; any
    -- other value, blank or unreadable, is read as a reply (suppression fails closed).
    where coalesce({{ norm_enum('is_from_contact') }}, '') not in {{ plain_no() }}
),

renamed as (
    select
        {{ phone_e164('phone_text') }} as phone_e164,
        -- A reply cannot have come after it was read (a STOP dated next year counts).
        {{ no_time_after_first_seen(parse_timestamp('received_at')) }} as received_at,
        body,
        -- Leading characters other than letters and digits are dropped: a reply told to
        -- 'reply "STOP"' often comes back "STOP" in quotes, or after an emoji.
        -- Cyrillic and Greek look-alikes of Latin letters read as those letters (`ЅТОР`).
        coalesce({{ re_replace_all(fold_confusables(norm_text('body')), '^[^\\p{L}\\p{N}]+', '') }}, '') as body_normalized,
        _file as source_file,
        _line as source_line,
        _sha256 as source_sha256
    from normalized
)

select * from renamed
