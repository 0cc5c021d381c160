-- Every Mobilize SMS opt-in status the ledger holds (every version ever read, not only the
-- latest attendance): OPT_OUT suppresses from modified_at (R09), OPT_IN is an SMS consent.
-- A person's OPT_OUT is theirs, so it reaches every number they gave: the primary one and
-- each of other_phones (one a line; the gate's copy is facts.py opted_out_phones). An
-- OPT_IN consents for the primary number only.
with source as (
    select * from {{ source('ledger', 'volunteer_sms') }}
),

statuses as (
    select *, {{ volunteer_sms_status('sms_opt_in_status') }} as sms_status
    from source
),

other_numbers as (
    select sms_status, modified_date, person_id, _file, _line, _sha256, _first_seen_at,
        {{ unnest_list(split_text('other_phones', 'chr(10)')) }} as phone
    from statuses
    where sms_status = 'OPT_OUT' and other_phones is not null
),

numbers as (
    select sms_status, modified_date, person_id, _file, _line, _sha256, _first_seen_at, phone
    from statuses
    union all
    select sms_status, modified_date, person_id, _file, _line, _sha256, _first_seen_at, phone
    from other_numbers
),

normalized as (
    select *, {{ fold_unicode('phone') }} as phone_text
    from numbers
),

renamed as (
    select
        {{ phone_e164('phone_text') }} as phone_e164,
        sms_status as sms_opt_in_status,
        -- An OPT_OUT dated after it was read has no time (it counts); an OPT_IN (a consent) keeps its time.
        case
            when sms_status = 'OPT_OUT'
                then {{ no_time_after_first_seen('to_timestamp(try_cast(modified_date as bigint))') }}
            else to_timestamp(try_cast(modified_date as bigint))
        end as modified_at,
        person_id,
        _file as source_file,
        _line as source_line,
        _sha256 as source_sha256
    from normalized
)

select * from renamed
