-- Exemptions and state rules are per number (docs/compliance_defaults.md): every record that
-- holds a phone, whatever its status (voter records of every registration status, ActBlue
-- donations, Mobilize attendances), gives the number its confidentiality (C01) and the states
-- its holders reside in (R22, R23, window overrides; with the area code's state in
-- list_decisions).
with voters as (
    select * from {{ ref('int_voters') }}
),

donations as (
    select * from {{ ref('stg_donations') }}
),

volunteers as (
    select * from {{ ref('stg_volunteers') }}
),

zip_codes as (
    select * from {{ source('ref', 'zip_codes') }}
),

holders as (
    select voters.phone_e164, voters.is_confidential, voters.residence_state, zip_codes.state as zip_state
    from voters
    left join zip_codes on zip_codes.zip5 = voters.residence_zip5
    where voters.phone_e164 is not null

    union all

    select donations.phone_e164, false, donations.state, zip_codes.state
    from donations
    left join zip_codes on zip_codes.zip5 = donations.zip5
    where donations.phone_e164 is not null

    union all

    select volunteers.phone_e164, false, null, zip_codes.state
    from volunteers
    left join zip_codes on zip_codes.zip5 = volunteers.zip5
    where volunteers.phone_e164 is not null
),

final as (
    select
        phone_e164,
        bool_or(is_confidential) as held_by_confidential_record,
        {{ list_sorted_distinct('flatten(' ~ list_gather(list_of(['residence_state', 'zip_state'])) ~ ')') }}
            as residence_states,
        count(*) as holder_records
    from holders
    group by phone_e164
)

select * from final
