-- What is known about each phone at as-of: opt-outs, wrong numbers, line type, recent
-- prerecorded calls, consents per scope and the federal DNC list.
with run as (
    select * from {{ ref('int_run') }}
),

phones as (
    select distinct phone_e164 from {{ ref('int_voters') }} where phone_e164 is not null
),

opt_outs as (
    select phone_e164, min(rule_id) as opt_out_rule_id
    from {{ ref('int_opt_outs') }}
    group by phone_e164
),

wrong_numbers as (
    select distinct history.phone_e164
    from {{ ref('stg_contact_history') }} as history
    cross join run
    where history.disposition = 'wrong_number'
      and (history.attempted_at is null or history.attempted_at <= run.as_of)
),

line_types as (
    select lt.phone_e164, arg_max(lt.line_type, lt.checked_at) as line_type, max(lt.checked_at) as line_type_checked_at
    from {{ ref('stg_line_types') }} as lt
    cross join run
    where lt.checked_at <= run.as_of
    group by lt.phone_e164
),

prerecorded_calls as (
    select history.phone_e164, count(*) as recent_prerecorded_calls
    from {{ ref('stg_contact_history') }} as history
    cross join run
    where history.channel like 'prerecorded%'
      and lower(trim(history.caller_entity)) = lower(trim(run.caller_entity))
      and history.attempted_at > run.as_of - to_days(run.prerecorded_cap_days)
      and history.attempted_at <= run.as_of
    group by history.phone_e164
),

consents as (
    select
        phone_e164,
        bool_or(scope in ('prerecorded_voice', 'all')) as has_prerecorded_consent,
        bool_or(scope in ('autodialed_voice', 'all')) as has_autodialed_consent,
        bool_or(scope in ('sms', 'all')) as has_sms_consent
    from {{ ref('int_valid_consents') }}
    group by phone_e164
),

federal_dnc as (
    select phone_e164 from {{ ref('int_dnc_status') }} where dnc_list = 'federal'
),

final as (
    select
        phones.phone_e164,
        opt_outs.opt_out_rule_id,
        wrong_numbers.phone_e164 is not null as has_wrong_number,
        line_types.line_type,
        line_types.line_type_checked_at,
        -- R03 and CONTRACT rule 3: no record, unknown or non-fixed VoIP count as wireless.
        case
            when substr(phones.phone_e164, 3, 3) in ('800', '833', '844', '855', '866', '877', '888') then 'toll_free'
            when line_types.line_type in ('landline', 'voip_fixed', 'toll_free') then line_types.line_type
            else 'wireless'
        end as effective_line_type,
        coalesce(prerecorded_calls.recent_prerecorded_calls, 0) as recent_prerecorded_calls,
        coalesce(consents.has_prerecorded_consent, false) as has_prerecorded_consent,
        coalesce(consents.has_autodialed_consent, false) as has_autodialed_consent,
        coalesce(consents.has_sms_consent, false) as has_sms_consent,
        federal_dnc.phone_e164 is not null as on_federal_dnc
    from phones
    left join opt_outs using (phone_e164)
    left join wrong_numbers using (phone_e164)
    left join line_types using (phone_e164)
    left join prerecorded_calls using (phone_e164)
    left join consents using (phone_e164)
    left join federal_dnc using (phone_e164)
)

select * from final
