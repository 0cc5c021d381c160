-- Every record that can name a person, one row each, with the normalized keys the
-- matcher compares: voter records, ActBlue donors (name, email, phone, ZIP as exported)
-- and Mobilize people.
with voters as (
    select * from {{ ref('int_voters') }}
),

donations as (
    select * from {{ ref('stg_donations') }}
),

volunteers as (
    select * from {{ ref('stg_volunteers') }}
),

voter_records as (
    select
        'voter_file' as source,
        voter_key as source_id,
        voter_key,
        {{ norm_name('first_name') }} as first_name_key,
        {{ norm_name('last_name') }} as last_name_key,
        residence_zip5 as zip5,
        phone_e164,
        null::{{ type_text() }} as email_key,
        first_name,
        last_name,
        residence_state as state,
        registered_on::{{ type_instant() }} as seen_at
    from voters
),

donor_records as (
    select
        'actblue' as source,
        {{ donor_record_id('first_name', 'last_name', 'email', 'phone_e164', 'zip5') }} as source_id,
        null::{{ type_text() }} as voter_key,
        {{ norm_name('any_value(first_name)') }} as first_name_key,
        {{ norm_name('any_value(last_name)') }} as last_name_key,
        any_value(zip5) as zip5,
        any_value(phone_e164) as phone_e164,
        {{ norm_email('any_value(email)') }} as email_key,
        {{ arg_max_of('first_name', 'donated_at') }} as first_name,
        {{ arg_max_of('last_name', 'donated_at') }} as last_name,
        {{ arg_max_of('state', 'donated_at') }} as state,
        max(donated_at) as seen_at
    from donations
    group by 2
),

volunteer_records as (
    select
        'mobilize' as source,
        'mobilize:' || person_id as source_id,
        null::{{ type_text() }} as voter_key,
        {{ norm_name(arg_max_of('first_name', 'modified_at')) }} as first_name_key,
        {{ norm_name(arg_max_of('last_name', 'modified_at')) }} as last_name_key,
        {{ arg_max_of('zip5', 'modified_at') }} as zip5,
        {{ arg_max_of('phone_e164', 'modified_at') }} as phone_e164,
        {{ norm_email(arg_max_of('email', 'modified_at')) }} as email_key,
        {{ arg_max_of('first_name', 'modified_at') }} as first_name,
        {{ arg_max_of('last_name', 'modified_at') }} as last_name,
        null::{{ type_text() }} as state,
        max(modified_at) as seen_at
    from volunteers
    where person_id is not null
    group by person_id
)

select * from voter_records
union all
select * from donor_records
union all
select * from volunteer_records
