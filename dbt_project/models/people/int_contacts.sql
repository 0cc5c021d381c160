-- One row per person, the shape list_decisions reads. A person who is a voter keeps the
-- voter record's values and contact_id (so a donor or volunteer linked to a confidential
-- or removed voter keeps C01/C02); a donor or volunteer who matched no voter takes the
-- phone, name and ZIP of their latest record with a phone, source_state NULL, and C03
-- when that phone is not valid.
with voters as (
    select * from {{ ref('int_voters') }}
),

geography as (
    select * from {{ ref('int_voter_geography') }}
),

households as (
    select * from {{ ref('int_households') }}
),

crosswalk as (
    select * from {{ ref('int_person_crosswalk') }}
),

records as (
    select * from {{ ref('int_identity_records') }}
),

zip_codes as (
    select * from {{ source('ref', 'zip_codes') }}
),

area_codes as (
    select * from {{ source('ref', 'area_codes') }}
),

roles as (
    select
        person_id as contact_id,
        bool_or(source = 'actblue') as is_donor,
        bool_or(source = 'mobilize') as is_volunteer
    from crosswalk
    group by person_id
),

voter_contacts as (
    select
        voters.contact_id,
        'voter' as person_kind,
        voters.voter_key,
        households.household_id,
        households.household_size,
        geography.county,
        voters.phone_e164,
        voters.first_name,
        voters.last_name,
        voters.residence_state,
        voters.residence_zip5,
        voters.area_code_state,
        voters.source_state,
        voters.time_zone,
        voters.registration_status,
        voters.party,
        voters.gender,
        voters.birth_year,
        voters.registered_on,
        voters.voter_rule_ids
    from voters
    left join households using (voter_key)
    left join geography using (voter_key)
),

non_voter_records as (
    select
        crosswalk.person_id as contact_id,
        records.*
    from crosswalk
    -- An explicit condition, not `using`: Spark loses the key columns of `records.*` with it.
    inner join records on records.source = crosswalk.source and records.source_id = crosswalk.source_id
    where crosswalk.matched_voter_key is null
    qualify row_number() over (
        partition by crosswalk.person_id
        order by records.phone_e164 is not null desc, records.seen_at desc nulls last, records.source_id
    ) = 1
),

non_voter_contacts as (
    select
        non_voter_records.contact_id,
        'non_voter' as person_kind,
        null::{{ type_text() }} as voter_key,
        null::{{ type_text() }} as household_id,
        null::bigint as household_size,
        null::{{ type_text() }} as county,
        non_voter_records.phone_e164,
        non_voter_records.first_name,
        non_voter_records.last_name,
        coalesce(zip_codes.state, non_voter_records.state) as residence_state,
        non_voter_records.zip5 as residence_zip5,
        area_codes.state as area_code_state,
        null::{{ type_text() }} as source_state,
        {{ contact_time_zone('zip_codes.time_zone', 'area_codes.time_zones') }} as time_zone,
        null::{{ type_text() }} as registration_status,
        null::{{ type_text() }} as party,
        null::{{ type_text() }} as gender,
        null::integer as birth_year,
        null::date as registered_on,
        case when non_voter_records.phone_e164 is null then {{ list_of(["'C03'"]) }} else {{ empty_text_list() }} end as voter_rule_ids
    from non_voter_records
    left join zip_codes on zip_codes.zip5 = non_voter_records.zip5
    left join area_codes on area_codes.area_code = substr(non_voter_records.phone_e164, 3, 3)
),

unioned as (
    select * from voter_contacts
    {{ union_all_by_name() }}
    select * from non_voter_contacts
),

final as (
    select
        unioned.*,
        coalesce(roles.is_donor, false) as is_donor,
        coalesce(roles.is_volunteer, false) as is_volunteer
    from unioned
    left join roles using (contact_id)
)

select * from final
