with source as (
    select * from {{ source('raw', 'fl_voters') }}
),

normalized as (
    -- The phone is area code plus seven digits; the extension stays apart.
    select
        *,
        {{ fold_unicode("coalesce(" ~ clean_text('daytime_area_code') ~ ", '') || coalesce(" ~ clean_text('daytime_phone_number') ~ ", '')") }}
            as phone_text
    from source
),

renamed as (
    select
        'FL-' || trim(voter_id) as voter_key,
        trim(voter_id) as state_voter_id,
        'FL' as source_state,
        {{ clean_text('name_first') }} as first_name,
        {{ clean_text('name_last') }} as last_name,
        -- Florida's statuses map onto North Carolina's codes: ACT active, INA inactive;
        -- PRE (pre-registered minors) gets its own code and is never contactable.
        {{ registration_status('voter_status') }} as registration_status,
        {{ flag_is_set('public_records_exemption') }} as is_confidential,
        {{ clean_text('residence_address_line_1') }} as residence_address,
        {{ clean_text('residence_city') }} as residence_city,
        upper({{ clean_text('residence_state') }}) as residence_state,
        left({{ clean_text('residence_zipcode') }}, 5) as residence_zip5,
        nullif(coalesce({{ clean_text('daytime_area_code') }}, '') || coalesce({{ clean_text('daytime_phone_number') }}, ''), '')
            as phone_raw,
        {{ phone_e164('phone_text') }} as phone_e164,
        {{ phone_problem('phone_text', phone_e164('phone_text')) }} as phone_problem,
        upper({{ clean_text('party_affiliation') }}) as party,
        upper({{ clean_text('gender') }}) as gender,
        year({{ parse_date('birth_date') }}) as birth_year,
        {{ parse_date('registration_date') }} as registered_on,
        _file as source_file,
        _line as source_line
    from normalized
)

select * from renamed
