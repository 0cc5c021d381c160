-- Every ActBlue Text Message Opt In value the ledger holds: a true value is an SMS consent
-- to the campaign that collected it, from the contribution's time.
with source as (
    select * from {{ source('ledger', 'donor_sms') }}
),

normalized as (
    select *, {{ fold_unicode('donor_phone') }} as phone_text
    from source
),

renamed as (
    select
        {{ phone_e164('phone_text') }} as phone_e164,
        {{ parse_timestamp('date') }} as donated_at,
        coalesce({{ norm_text('text_message_opt_in') }}, '') in ('true', 'yes', '1', 'y') as text_message_opt_in,
        {{ clean_text('receipt_id') }} as receipt_id,
        _file as source_file,
        _line as source_line,
        _sha256 as source_sha256
    from normalized
)

select * from renamed
