-- What the ledger says about each contact phone at as-of: opt-out, wrong number, line type,
-- recent prerecorded calls, consents per scope and the federal DNC list.
with run as (
    select * from {{ ref('int_run') }}
),

phones as (
    -- Every contact's number: voters, and donors and volunteers who match no voter.
    select distinct phone_e164 from {{ ref('int_contacts') }} where phone_e164 is not null
),

cap_window as (
    select max(cap_days) as cap_days from {{ source('config', 'channels') }}
),

events as (
    -- Events with no readable time count as having happened: when in doubt, do not contact.
    select events.*
    from {{ ref('int_phone_events') }} as events
    cross join run
    where events.event_at is null or events.event_at <= run.as_of
),

summarized as (
    select
        events.phone_e164,
        min(events.detail) filter (where events.event_type = 'opt_out') as opt_out_rule_id,
        bool_or(events.event_type = 'disposition' and events.detail = 'wrong_number') as has_wrong_number,
        arg_max(events.detail, events.event_at) filter (where events.event_type = 'line_type_check') as line_type,
        max(events.event_at) filter (where events.event_type = 'line_type_check') as line_type_checked_at,
        count(*) filter (
            where events.event_type = 'prerecorded_call'
              -- A call that names no caller entity may have been ours: it counts (R13).
              and coalesce(lower(trim(events.caller_entity)), '') in ('', lower(trim(run.caller_entity)))
              and (events.event_at is null or events.event_at > run.as_of - to_days(coalesce(cap_window.cap_days, 0)))
        ) as recent_prerecorded_calls
    from events
    cross join run
    cross join cap_window
    group by events.phone_e164
),

consents as (
    select
        phone_e164,
        bool_or(scope = 'prerecorded_voice') as has_prerecorded_consent,
        bool_or(scope = 'autodialed_voice') as has_autodialed_consent,
        bool_or(scope = 'sms') as has_sms_consent
    from {{ ref('int_valid_consents') }}
    group by phone_e164
),

federal_dnc as (
    select phone_e164 from {{ ref('int_dnc_status') }} where dnc_list = 'federal'
),

final as (
    select
        phones.phone_e164,
        substr(phones.phone_e164, 3, 3) as area_code,
        summarized.opt_out_rule_id,
        coalesce(summarized.has_wrong_number, false) as has_wrong_number,
        summarized.line_type,
        summarized.line_type_checked_at,
        -- R03 and CONTRACT rule 3: no record, unknown or non-fixed VoIP count as wireless.
        case
            when substr(phones.phone_e164, 3, 3) in ('800', '833', '844', '855', '866', '877', '888') then 'toll_free'
            when summarized.line_type in ('landline', 'voip_fixed', 'toll_free') then summarized.line_type
            else 'wireless'
        end as effective_line_type,
        coalesce(summarized.recent_prerecorded_calls, 0) as recent_prerecorded_calls,
        coalesce(consents.has_prerecorded_consent, false) as has_prerecorded_consent,
        coalesce(consents.has_autodialed_consent, false) as has_autodialed_consent,
        coalesce(consents.has_sms_consent, false) as has_sms_consent,
        federal_dnc.phone_e164 is not null as on_federal_dnc
    from phones
    left join summarized using (phone_e164)
    left join consents using (phone_e164)
    left join federal_dnc using (phone_e164)
)

select * from final
