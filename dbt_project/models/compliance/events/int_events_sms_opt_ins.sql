-- ActBlue's Text Message Opt In and Mobilize's OPT_IN (every one the ledger holds) are SMS
-- consents to the campaign that collected them (the configured caller entity). They are valid
-- only once an RND answer clears them, like any other consent.
with caller as (
    select * from {{ ref('int_caller') }}
),

donor_sms_consents as (
    select donations.phone_e164, donations.donated_at as event_at, 'consent_given' as event_type, 'sms' as detail,
        caller.caller_entity, donations.donated_at::date as consent_date, donations.source_file, donations.source_line
    from {{ ref('stg_donor_sms') }} as donations
    cross join caller
    where donations.text_message_opt_in and donations.phone_e164 is not null
),

volunteer_sms_consents as (
    select volunteers.phone_e164, volunteers.modified_at as event_at, 'consent_given' as event_type, 'sms' as detail,
        caller.caller_entity, volunteers.modified_at::date as consent_date, volunteers.source_file, volunteers.source_line
    from {{ ref('stg_volunteer_sms') }} as volunteers
    cross join caller
    where volunteers.sms_opt_in_status = 'OPT_IN' and volunteers.phone_e164 is not null
)

select * from donor_sms_consents
union all select * from volunteer_sms_consents
