with source as (
    select * from {{ source('raw', 'volunteers') }}
),

normalized as (
    select *, {{ fold_unicode('phone') }} as phone_text
    from source
),

renamed as (
    select
        attendance_id,
        person_id,
        {{ clean_text('given_name') }} as first_name,
        {{ clean_text('family_name') }} as last_name,
        {{ clean_text('email') }} as email,
        {{ phone_e164('phone_text') }} as phone_e164,
        left({{ clean_text('postal_code') }}, 5) as zip5,
        upper(coalesce({{ norm_enum('sms_opt_in_status') }}, 'unspecified')) as sms_opt_in_status,
        event_id,
        {{ clean_text('event_type') }} as event_type,
        to_timestamp(try_cast(timeslot_start as bigint)) as timeslot_start,
        upper({{ clean_text('status') }}) as status,
        attended = 'true' as attended,
        to_timestamp(try_cast(modified_date as bigint)) as modified_at,
        _file as source_file,
        _line as source_line
    from normalized
)

-- Incremental pulls overlap, so the same attendance can arrive in several pages: keep its latest.
select * from renamed
qualify row_number() over (partition by attendance_id order by modified_at desc nulls last, source_file desc, source_line desc) = 1
