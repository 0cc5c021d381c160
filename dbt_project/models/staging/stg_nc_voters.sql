with source as (
    select * from {{ source('raw', 'nc_voters') }}
),

normalized as (
    select *, {{ fold_unicode('full_phone_number') }} as phone_text
    from source
),

renamed as (
    select
        'NC-' || trim(ncid) as voter_key,
        trim(ncid) as state_voter_id,
        'NC' as source_state,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ registration_status('status_cd', 'voter_status_desc') }} as registration_status,
        {{ flag_is_set('confidential_ind') }} as is_confidential,
        {{ clean_text('res_street_address') }} as residence_address,
        {{ clean_text('res_city_desc') }} as residence_city,
        upper({{ clean_text('state_cd') }}) as residence_state,
        left({{ clean_text('zip_code') }}, 5) as residence_zip5,
        {{ clean_text('full_phone_number') }} as phone_raw,
        {{ phone_e164('phone_text') }} as phone_e164,
        {{ phone_problem('phone_text', phone_e164('phone_text')) }} as phone_problem,
        upper({{ clean_text('party_cd') }}) as party,
        upper({{ clean_text('gender_code') }}) as gender,
        try_cast(birth_year as integer) as birth_year,
        {{ parse_date('registr_dt') }} as registered_on,
        _file as source_file,
        _line as source_line
    from normalized
)

select * from renamed
