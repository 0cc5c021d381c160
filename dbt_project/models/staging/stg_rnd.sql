with source as (
    select * from {{ source('ledger', 'rnd') }}
),

normalized as (
    select *, {{ fold_unicode('phone') }} as phone_text
    from source
),

renamed as (
    select
        {{ phone_e164('phone_text') }} as phone_e164,
        -- Neither the query nor the consent date it asked about can be later than the row's
        -- first read (a mistyped year): such a date or time is no date or time, like an
        -- unreadable one, so an answer other than `no` counts (for every consent, at as-of)
        -- and a `no` clears nothing. Both engines' sessions are in UTC (profiles.yml), so a
        -- date is compared as its UTC midnight.
        {{ no_time_after_first_seen(parse_date('consent_date')) }} as consent_date,
        {{ norm_enum('result') }} as result,
        {{ no_time_after_first_seen(parse_timestamp('queried_at')) }} as queried_at,
        _file as source_file,
        _line as source_line,
        _sha256 as source_sha256
    from normalized
)

select * from renamed
