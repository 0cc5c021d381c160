with nc as (
    select * from {{ ref('stg_nc_voters') }}
),

fl as (
    select * from {{ ref('stg_fl_voters') }}
),

zip_codes as (
    select * from {{ source('ref', 'zip_codes') }}
),

area_codes as (
    select * from {{ source('ref', 'area_codes') }}
),

unioned as (
    select * from nc
    {{ union_all_by_name() }}
    select * from fl
),

located as (
    select
        unioned.*,
        -- A hashed id that names the person in logs and files without revealing them.
        left(md5('outreach-voter:' || unioned.voter_key), 16) as contact_id,
        substr(unioned.phone_e164, 3, 3) as area_code,
        area_codes.state as area_code_state,
        area_codes.time_zones as area_code_time_zones,
        zip_codes.time_zone as zip_time_zone
    from unioned
    left join zip_codes on zip_codes.zip5 = unioned.residence_zip5
    left join area_codes on area_codes.area_code = substr(unioned.phone_e164, 3, 3)
),

final as (
    select
        *,
        {{ contact_time_zone('zip_time_zone', 'area_code_time_zones') }} as time_zone,
        {{ list_keep(list_of([
            "case when is_confidential then 'C01' end",
            "case when registration_status in ('R', 'D', 'U') then 'C02' end",
            "case when phone_e164 is null then 'C03' end"
        ]), 'x', 'x is not null') }} as voter_rule_ids
    from located
)

select * from final
