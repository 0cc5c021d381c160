with source as (
    select * from {{ source('raw', 'donations') }}
),

normalized as (
    select *, {{ fold_unicode('donor_phone') }} as phone_text
    from source
),

renamed as (
    select
        {{ clean_text('receipt_id') }} as receipt_id,
        {{ parse_timestamp('date') }} as donated_at,
        try_cast(replace(replace(amount, '$', ''), ',', '') as decimal(12, 2)) as amount,
        {{ clean_text('donor_first_name') }} as first_name,
        {{ clean_text('donor_last_name') }} as last_name,
        {{ clean_text('donor_email') }} as email,
        {{ phone_e164('phone_text') }} as phone_e164,
        upper({{ clean_text('donor_state') }}) as state,
        left({{ clean_text('donor_zip') }}, 5) as zip5,
        coalesce(try_cast(recurring_total_months as integer), 0) > 0 as is_recurring,
        {{ clean_text('refund_id') }} is not null or {{ clean_text('refund_date') }} is not null as is_refunded,
        lower(trim(coalesce(text_message_opt_in, ''))) in ('true', 'yes', '1', 'y') as text_message_opt_in,
        _file as source_file,
        _line as source_line
    from normalized
)

-- A dashboard export and an API pull can hold the same receipt: keep one, preferring a refund record.
select * from renamed
qualify row_number() over (
    partition by coalesce(receipt_id, source_file || ':' || source_line)
    order by is_refunded desc, source_file desc, source_line desc
) = 1
